-- Account coverage reads activity on accounts without touching the rest of the row, and
-- finds when an account with open deals was last touched without scanning every activity.
CREATE INDEX activities_account_work ON activities(rep_id, local_date, activity_type_id, account, quantity)
    WHERE deleted_at IS NULL AND qualifies = TRUE AND account IS NOT NULL;
CREATE INDEX activities_account_touch ON activities(TRIM(account), local_date)
    WHERE deleted_at IS NULL AND account IS NOT NULL;
