//! Live updates: the server tells open pages and TV displays that data changed, within a
//! second, over Server-Sent Events.
//!
//! * Every write that can move a number on a page (activities, deals, imports, weights,
//!   targets, settings, users, tokens) calls [`Live::changed`] after its transaction commits.
//! * On SQLite (one instance) the change goes straight to an in-process broadcast. On
//!   PostgreSQL it goes through `NOTIFY pacesetter_live`, and every instance `LISTEN`s, so
//!   all instances behind a load balancer hear every change (docs/rules.md, "Live updates").
//! * `GET /tv/{token}/events` (display token) and `GET /events` (signed-in session) stream
//!   `data: {"kind": …}` messages. Each stream checks its credential again on every change
//!   and every [`RECHECK`]: a revoked display or an ended session closes the stream at once
//!   (the revocation itself is a change), and the browser's reconnect is then refused.
//! * The first message carries the server's version and build ([`build_id`]) so a TV can
//!   reload itself after a deploy.
//! * A deal just won is a `won` message with the rep, the account and the amount, for the
//!   TV's celebration. Each display stream decides what its TV may see: no amount for a
//!   private display, and a team's display only celebrates its own team (other wins reach
//!   it as a plain `deal` change). Signed-in pages get a plain `deal` change.
//!
//! The browser half (subscribe, refetch on change) is in [`client`].

pub mod client;

use serde::{Deserialize, Serialize};

/// What changed. Services name the change they made when they announce it; pages refetch
/// what they show on any change, the kind is there for pages that only care about some.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveKind {
    /// The first message of a stream, with the server's version.
    Hello,
    /// Activities logged, changed or deleted.
    Activity,
    /// Deals written.
    Deal,
    /// A deal was just won: celebrate (the deal is in [`LiveMessage::won`]).
    Won,
    /// Activity types, weights, settings, targets, scorecards, sales roles.
    Config,
    /// People: created, changed, deactivated.
    Users,
    /// Display links and API tokens.
    Tokens,
    /// A CSV import.
    Import,
    /// The credential is no longer valid; the stream ends.
    Closed,
    /// Anything newer than this version knows: treat as "something changed".
    #[serde(other)]
    Other,
}

/// A won deal to celebrate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WonDeal {
    pub rep: String,
    pub account: String,
    /// "EUR 12,500"; never sent to a private display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// The rep's team, for the server's choice of displays; never sent to a browser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<i64>,
}

/// One live message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveMessage {
    pub kind: LiveKind,
    /// The server's version, on `hello`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The server's build, on `hello`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<String>,
    /// The deal, on `won`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub won: Option<WonDeal>,
}

impl LiveMessage {
    pub fn of(kind: LiveKind) -> LiveMessage {
        LiveMessage {
            kind,
            version: None,
            build: None,
            won: None,
        }
    }
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use std::convert::Infallible;
    use std::time::Duration;

    use axum::extract::{Path, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::sse::{Event, KeepAlive, Sse};
    use axum::response::{IntoResponse, Response};
    use futures_util::stream::{self, Stream};
    use tokio::sync::broadcast;

    use std::collections::VecDeque;
    use std::sync::OnceLock;

    use super::{LiveKind, LiveMessage, WonDeal};
    use crate::server::db::Db;
    use crate::server::state::AppState;

    /// The PostgreSQL channel every instance listens on.
    pub const CHANNEL: &str = "pacesetter_live";
    /// How often an idle stream checks its credential again (a safety net; changes made
    /// through the app are noticed at once).
    pub const RECHECK: Duration = Duration::from_secs(10);

    /// The live hub of one app instance.
    #[derive(Clone, Debug)]
    pub struct Live {
        tx: broadcast::Sender<String>,
        db: Db,
        /// The TV shows computed since the last change (see [`Memo`]).
        pub tv_shows: std::sync::Arc<Memo<crate::tv::TvShow>>,
        /// The activity-score boards computed since the last change (the rep's rank).
        pub boards: std::sync::Arc<Memo<crate::leaderboard::Leaderboard>>,
        /// The organisation's settings, types and weights read by page renders since the
        /// last change ([`crate::server::page_reads::config`]).
        pub config: std::sync::Arc<crate::server::page_reads::Shared>,
    }

    /// How long a [`Memo`] keeps a result at most: the bound on what no notice tells this
    /// instance about (the command line writing to SQLite; the clock moving a day on).
    pub const MEMO_MAX_AGE: Duration = Duration::from_secs(15);
    /// Results a [`Memo`] keeps at most (one per display in practice).
    const MEMO_MAX_ENTRIES: usize = 256;

    /// Results computed from the data, kept until this instance hears of any change (every
    /// service announces its writes, on every instance), and at most [`MEMO_MAX_AGE`]. After
    /// a change, every open TV refetches its show at once: the first computes it, the others
    /// wait for it and are answered from here ([`Memo::get_or_compute`]).
    #[derive(Debug)]
    pub struct Memo<V> {
        inner: std::sync::Mutex<MemoInner<V>>,
        /// The keys being computed, each with the bell its computer rings when done.
        computing: Computing,
    }

    /// The keys being computed, each with its bell.
    type Computing =
        std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Notify>>>;

    /// How long a caller waits for another's computation of the same key before it computes
    /// for itself. A render may poll a read once and keep it unpolled for a while (leptos's
    /// `Suspend::dry_resolve`); whoever waits on such a read must not wait for ever.
    pub const LEAD_WAIT: Duration = Duration::from_secs(2);

    /// Held by the caller computing a key: when it is done, fails or is dropped, the key is
    /// free again and everyone waiting is told.
    struct Lead<'a> {
        computing: &'a Computing,
        key: &'a str,
    }

    impl Drop for Lead<'_> {
        fn drop(&mut self) {
            let mut computing = self
                .computing
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(bell) = computing.remove(self.key) {
                bell.notify_waiters();
            }
        }
    }

    #[derive(Debug)]
    struct MemoInner<V> {
        changes: broadcast::Receiver<String>,
        /// Counts the changes heard: a result computed across a change is not kept.
        generation: u64,
        entries: std::collections::HashMap<String, (std::time::Instant, V)>,
    }

    impl<V: Clone> Memo<V> {
        pub fn new(changes: broadcast::Receiver<String>) -> Memo<V> {
            Memo {
                inner: std::sync::Mutex::new(MemoInner {
                    changes,
                    generation: 0,
                    entries: Default::default(),
                }),
                computing: Default::default(),
            }
        }

        /// The result kept for `key`, or `compute`'s, kept. Callers that miss at the same
        /// time wait for the first, which computes, and then find its result (64 TVs asking
        /// at once after a change cost one computation, not 64; before this, a cold start of
        /// 64 connections on the TV page had a p99 of 1.3 s instead of 28 ms). Nobody hands a
        /// turn to a waiter: a waiter that is never polled again holds nobody up, and a
        /// waiter whose computer stalls computes for itself after [`LEAD_WAIT`].
        pub async fn get_or_compute<E, F>(
            &self,
            key: String,
            compute: impl FnOnce() -> F,
        ) -> Result<V, E>
        where
            F: std::future::Future<Output = Result<V, E>>,
        {
            if let (Some(v), _) = self.get(&key) {
                return Ok(v);
            }
            let waiting = {
                let mut computing = self
                    .computing
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                match computing.get(&key) {
                    // Made under the lock the computer rings under: no ring is missed.
                    Some(bell) => Some(bell.clone().notified_owned()),
                    None => {
                        computing.insert(key.clone(), Default::default());
                        None
                    }
                }
            };
            let _lead = match waiting {
                Some(bell) => {
                    let _ = tokio::time::timeout(LEAD_WAIT, bell).await;
                    None
                }
                None => Some(Lead {
                    computing: &self.computing,
                    key: &key,
                }),
            };
            let (kept, generation) = self.get(&key);
            if let Some(v) = kept {
                return Ok(v);
            }
            let fresh = compute().await?;
            self.put(key.clone(), fresh.clone(), generation);
            Ok(fresh)
        }

        fn lock(&self) -> std::sync::MutexGuard<'_, MemoInner<V>> {
            let mut m = self
                .inner
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut changed = false;
            while let Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) = m.changes.try_recv()
            {
                changed = true;
            }
            if changed {
                m.generation += 1;
                m.entries.clear();
            }
            m
        }

        /// Forgets every result now: this instance has just changed data. On PostgreSQL its
        /// own notice comes back through `LISTEN` a moment later, and a read in between (the
        /// page refetching after a tap) must not be answered from before the change.
        pub fn forget(&self) {
            let mut m = self.lock();
            m.generation += 1;
            m.entries.clear();
        }

        /// The result kept for `key`, and the generation to hand to [`Memo::put`].
        pub fn get(&self, key: &str) -> (Option<V>, u64) {
            let m = self.lock();
            let hit = m
                .entries
                .get(key)
                .filter(|(at, _)| at.elapsed() < MEMO_MAX_AGE)
                .map(|(_, v)| v.clone());
            (hit, m.generation)
        }

        /// Keeps `value`, unless a change was heard since the [`Memo::get`] that gave
        /// `generation` (it may have been read before that change).
        pub fn put(&self, key: String, value: V, generation: u64) {
            let mut m = self.lock();
            if m.generation != generation {
                return;
            }
            if m.entries.len() >= MEMO_MAX_ENTRIES {
                m.entries.clear();
            }
            m.entries.insert(key, (std::time::Instant::now(), value));
        }
    }

    impl Live {
        /// Starts the hub; on PostgreSQL also the listener that feeds it from `NOTIFY`.
        pub async fn start(db: &Db) -> Result<Live, sqlx::Error> {
            let (tx, _) = broadcast::channel(256);
            if let Db::Postgres(pool) = db {
                let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
                listener.listen(CHANNEL).await?;
                let tx = tx.clone();
                tokio::spawn(async move {
                    loop {
                        match listener.recv().await {
                            Ok(n) => {
                                let _ = tx.send(n.payload().to_string());
                            }
                            Err(e) => {
                                // The listener reconnects by itself on the next recv; pages
                                // refetch on the change below, so nothing is missed for long.
                                tracing::warn!("live listener: {e}");
                                let _ = tx.send(kind_json(LiveKind::Config));
                                tokio::time::sleep(Duration::from_secs(1)).await;
                            }
                        }
                    }
                });
            }
            let tv_shows = std::sync::Arc::new(Memo::new(tx.subscribe()));
            let boards = std::sync::Arc::new(Memo::new(tx.subscribe()));
            let config = std::sync::Arc::new(Memo::new(tx.subscribe()));
            Ok(Live {
                tx,
                db: db.clone(),
                tv_shows,
                boards,
                config,
            })
        }

        /// A hub for a process that serves no pages (the command line): on PostgreSQL its
        /// notices reach the running app instances; on SQLite nobody outside the server can
        /// be told, and open pages catch up with their slow poll.
        pub fn announcer(db: &Db) -> Live {
            let (tx, _) = broadcast::channel(1);
            let tv_shows = std::sync::Arc::new(Memo::new(tx.subscribe()));
            let boards = std::sync::Arc::new(Memo::new(tx.subscribe()));
            let config = std::sync::Arc::new(Memo::new(tx.subscribe()));
            Live {
                tx,
                db: db.clone(),
                tv_shows,
                boards,
                config,
            }
        }

        /// Tells every open page and display (on every instance) that `kind` data changed.
        /// Never fails the write that caused it: a lost notice only delays a refresh.
        /// Services call it after their transaction commits.
        pub async fn changed(&self, kind: LiveKind) {
            self.forget_memos();
            match &self.db {
                Db::Postgres(_) => announce(&self.db, kind).await,
                Db::Sqlite(_) => {
                    let _ = self.tx.send(kind_json(kind));
                }
            }
        }

        /// This instance's own results computed before the change it announces.
        fn forget_memos(&self) {
            self.tv_shows.forget();
            self.boards.forget();
            self.config.forget();
        }

        pub fn subscribe(&self) -> broadcast::Receiver<String> {
            self.tx.subscribe()
        }

        /// Tells every open display (on every instance) that a deal was just won; each
        /// stream decides what its TV may see of it. After the write's commit, never fails.
        pub async fn won(&self, deal: WonDeal) {
            let payload = serde_json::to_string(&LiveMessage {
                won: Some(deal),
                ..LiveMessage::of(LiveKind::Won)
            })
            .unwrap_or_default();
            self.forget_memos();
            match &self.db {
                Db::Postgres(_) => announce_payload(&self.db, payload).await,
                Db::Sqlite(_) => {
                    let _ = self.tx.send(payload);
                }
            }
        }
    }

    /// This server's build: its version and a fingerprint of its executable (size and
    /// modification time), or `PACESETTER_BUILD_ID` when set. A new deploy changes it, a
    /// plain restart does not; open TVs reload themselves when it changes.
    pub fn build_id() -> &'static str {
        static ID: OnceLock<String> = OnceLock::new();
        ID.get_or_init(|| {
            if let Ok(id) = std::env::var("PACESETTER_BUILD_ID") {
                let id = id.trim();
                if !id.is_empty() {
                    return id.chars().filter(|c| !c.is_control()).take(80).collect();
                }
            }
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
                meta.len().hash(&mut h);
                if let Ok(t) = meta.modified() {
                    t.hash(&mut h);
                }
            }
            format!("{}-{:016x}", env!("CARGO_PKG_VERSION"), h.finish())
        })
    }

    async fn announce(db: &Db, kind: LiveKind) {
        announce_payload(db, kind_json(kind)).await
    }

    async fn announce_payload(db: &Db, payload: String) {
        if let Db::Postgres(pool) = db {
            if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(payload)
                .execute(pool)
                .await
            {
                tracing::warn!("live notify: {e}");
            }
        }
    }

    fn kind_json(kind: LiveKind) -> String {
        serde_json::to_string(&LiveMessage::of(kind)).unwrap_or_default()
    }

    /// Who a stream is for; checked again on every change.
    #[derive(Clone)]
    enum Credential {
        Display(String),
        Session(String),
    }

    /// What a still valid credential may see.
    enum Access {
        Gone,
        Display { team_id: Option<i64>, privacy: bool },
        Session,
    }

    impl Credential {
        async fn still_valid(&self, db: &Db) -> bool {
            !matches!(self.access(db).await, Access::Gone)
        }

        async fn access(&self, db: &Db) -> Access {
            match self {
                Credential::Display(token) => {
                    match crate::displays::service::for_token(db, token).await {
                        Ok(Some(d)) => Access::Display {
                            team_id: d.team_id,
                            privacy: d.privacy,
                        },
                        _ => Access::Gone,
                    }
                }
                Credential::Session(id) => {
                    match crate::auth::session::user_for_session(db, id, chrono::Utc::now()).await {
                        Ok(Some(_)) => Access::Session,
                        _ => Access::Gone,
                    }
                }
            }
        }
    }

    /// What one viewer is sent of a message: a won deal is shown whole to an open display,
    /// without its amount to a private one, and as a plain change to a display of another
    /// team or a signed-in page.
    fn for_viewer(payload: String, access: &Access) -> String {
        let Ok(mut message) = serde_json::from_str::<LiveMessage>(&payload) else {
            return payload;
        };
        if message.kind != LiveKind::Won {
            return payload;
        }
        let celebrate = match (access, &message.won) {
            (Access::Display { team_id, privacy }, Some(won)) => {
                (team_id.is_none() || *team_id == won.team_id).then_some(*privacy)
            }
            _ => None,
        };
        match (celebrate, message.won.as_mut()) {
            (Some(privacy), Some(won)) => {
                won.team_id = None;
                if privacy {
                    won.amount = None;
                }
                serde_json::to_string(&message).unwrap_or_default()
            }
            _ => kind_json(LiveKind::Deal),
        }
    }

    fn is_won(payload: &str) -> bool {
        serde_json::from_str::<LiveMessage>(payload).is_ok_and(|m| m.kind == LiveKind::Won)
    }

    /// `GET /tv/{token}/events`: the live stream of a TV display.
    pub async fn display_events(
        State(state): State<AppState>,
        Path(token): Path<String>,
    ) -> Response {
        open(
            state,
            Credential::Display(token),
            "This display link is not valid (revoked or mistyped).",
        )
        .await
    }

    /// `GET /events`: the live stream of a signed-in page.
    pub async fn session_events(State(state): State<AppState>, headers: HeaderMap) -> Response {
        match crate::auth::session::session_id_from_headers(&headers) {
            Some(id) => open(state, Credential::Session(id), "Sign in first.").await,
            None => (StatusCode::UNAUTHORIZED, "Sign in first.").into_response(),
        }
    }

    async fn open(state: AppState, credential: Credential, refusal: &'static str) -> Response {
        if !credential.still_valid(&state.db).await {
            return (StatusCode::UNAUTHORIZED, refusal).into_response();
        }
        let rx = state.live.subscribe();
        let stream = events(state.db.clone(), credential, rx);
        let mut response = Sse::new(stream)
            .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
            .into_response();
        // Proxies (nginx) must not buffer the stream.
        response.headers_mut().insert(
            "x-accel-buffering",
            axum::http::HeaderValue::from_static("no"),
        );
        response
    }

    enum Step {
        Hello,
        Listening,
        Done,
    }

    struct StreamState {
        db: Db,
        credential: Credential,
        rx: broadcast::Receiver<String>,
        step: Step,
        /// Celebrations heard while another message was being sent: each is sent in turn.
        pending: VecDeque<String>,
    }

    /// Celebrations kept waiting at most (a burst of wins shows the first few).
    const MAX_PENDING: usize = 5;

    /// How long a browser waits before reconnecting a dropped stream (SSE `retry:`).
    const RECONNECT_AFTER: Duration = Duration::from_millis(500);

    fn message(message: LiveMessage) -> Event {
        Event::default().data(serde_json::to_string(&message).unwrap_or_default())
    }

    fn events(
        db: Db,
        credential: Credential,
        rx: broadcast::Receiver<String>,
    ) -> impl Stream<Item = Result<Event, Infallible>> {
        let start = StreamState {
            db,
            credential,
            rx,
            step: Step::Hello,
            pending: VecDeque::new(),
        };
        stream::unfold(start, |mut s| async move {
            match s.step {
                Step::Done => None,
                Step::Hello => {
                    s.step = Step::Listening;
                    let hello = message(LiveMessage {
                        version: Some(env!("CARGO_PKG_VERSION").to_string()),
                        build: Some(build_id().to_string()),
                        ..LiveMessage::of(LiveKind::Hello)
                    })
                    // After a restart or a drop the browser tries again every half second
                    // (its default is about 3 s): a TV is live again moments after the
                    // server is back.
                    .retry(RECONNECT_AFTER);
                    Some((Ok(hello), s))
                }
                Step::Listening => loop {
                    let payload = match s.pending.pop_front() {
                        Some(waiting) => Some(waiting),
                        None => match tokio::time::timeout(RECHECK, s.rx.recv()).await {
                            Ok(Ok(payload)) => Some(payload),
                            // Missed some: say "something changed"; the page refetches anyway.
                            Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                                Some(kind_json(LiveKind::Config))
                            }
                            Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                            Err(_) => None,
                        },
                    };
                    // Many changes at once (a batch, a busy minute) make one message; only
                    // celebrations are kept, to be sent in turn.
                    while let Ok(more) = s.rx.try_recv() {
                        if is_won(&more) && s.pending.len() < MAX_PENDING {
                            s.pending.push_back(more);
                        }
                    }
                    let access = s.credential.access(&s.db).await;
                    if matches!(access, Access::Gone) {
                        s.step = Step::Done;
                        return Some((Ok(message(LiveMessage::of(LiveKind::Closed))), s));
                    }
                    if let Some(payload) = payload {
                        let text = for_viewer(payload, &access);
                        return Some((Ok(Event::default().data(text)), s));
                    }
                },
            }
        })
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::Memo;
    use tokio::sync::broadcast;

    #[test]
    fn a_memo_forgets_at_every_change_and_keeps_nothing_computed_across_one() {
        let (tx, _) = broadcast::channel(4);
        let memo: Memo<u32> = Memo::new(tx.subscribe());
        let (hit, generation) = memo.get("tv");
        assert_eq!(hit, None);
        memo.put("tv".into(), 1, generation);
        assert_eq!(memo.get("tv").0, Some(1));
        assert_eq!(memo.get("other").0, None);

        // A change: the result is gone.
        tx.send("changed".into()).unwrap();
        let (hit, generation) = memo.get("tv");
        assert_eq!(hit, None);
        // A result computed while another change happened is not kept.
        tx.send("changed again".into()).unwrap();
        memo.put("tv".into(), 2, generation);
        assert_eq!(memo.get("tv").0, None);

        // More changes than the channel holds still count as a change.
        let (_, generation) = memo.get("tv");
        memo.put("tv".into(), 3, generation);
        for i in 0..10 {
            tx.send(format!("burst {i}")).unwrap();
        }
        assert_eq!(memo.get("tv").0, None);

        // This instance's own change, before its notice comes back: forgotten at once, and
        // a result computed across it is not kept either.
        let (_, generation) = memo.get("tv");
        memo.put("tv".into(), 4, generation);
        assert_eq!(memo.get("tv").0, Some(4));
        let (_, generation) = memo.get("tv");
        memo.forget();
        assert_eq!(memo.get("tv").0, None);
        memo.put("tv".into(), 5, generation);
        assert_eq!(memo.get("tv").0, None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_that_miss_together_compute_once_and_an_error_is_not_kept() {
        use std::sync::atomic::{AtomicU32, Ordering};
        use std::sync::Arc;
        let (tx, _) = broadcast::channel(4);
        let memo: Arc<Memo<u32>> = Arc::new(Memo::new(tx.subscribe()));
        let computed = Arc::new(AtomicU32::new(0));
        let compute = |computed: Arc<AtomicU32>| async move {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            Ok::<u32, String>(computed.fetch_add(1, Ordering::SeqCst) + 1)
        };
        let callers: Vec<_> = (0..64)
            .map(|_| {
                let (memo, computed) = (memo.clone(), computed.clone());
                tokio::spawn(
                    async move { memo.get_or_compute("tv".into(), || compute(computed)).await },
                )
            })
            .collect();
        for c in callers {
            assert_eq!(c.await.unwrap(), Ok(1));
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        // Other keys compute on their own; after a change the key computes again.
        let other = memo.get_or_compute("other".into(), || compute(computed.clone()));
        assert_eq!(other.await, Ok(2));
        tx.send("changed".into()).unwrap();
        let again = memo.get_or_compute("tv".into(), || compute(computed.clone()));
        assert_eq!(again.await, Ok(3));
        // A failure is answered, not kept.
        tx.send("changed".into()).unwrap();
        let failed = memo.get_or_compute("tv".into(), || async { Err("down".to_string()) });
        assert_eq!(failed.await, Err("down".to_string()));
        let after = memo.get_or_compute("tv".into(), || compute(computed.clone()));
        assert_eq!(after.await, Ok(4));
    }

    /// A render may poll a read once and then keep it unpolled (leptos's
    /// `Suspend::dry_resolve`). With turns handed from caller to caller, such a read got the
    /// turn when the computation before it ended, never took it, and every later caller of
    /// the key waited for ever: a `/me` render that never answered.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_waiter_kept_unpolled_holds_nobody_up() {
        use std::future::Future;
        use std::time::Duration;
        let (tx, _) = broadcast::channel(4);
        let memo: std::sync::Arc<Memo<u32>> = std::sync::Arc::new(Memo::new(tx.subscribe()));
        let slow = || async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Ok::<u32, String>(7)
        };
        let first = tokio::spawn({
            let memo = memo.clone();
            async move { memo.get_or_compute("settings".into(), slow).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        // Polled once while the first computes, then kept and never polled again.
        let mut kept = Box::pin(memo.get_or_compute("settings".into(), slow));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(kept.as_mut().poll(&mut cx).is_pending());
        let third = memo.get_or_compute("settings".into(), || async { Ok::<u32, String>(8) });
        let third = tokio::time::timeout(Duration::from_secs(1), third).await;
        assert_eq!(
            third,
            Ok(Ok(7)),
            "the third caller is answered with the first's result"
        );
        assert_eq!(first.await.unwrap(), Ok(7));

        // A computer that stalls delays the others by at most LEAD_WAIT.
        tx.send("changed".into()).unwrap();
        let mut stalled = Box::pin(memo.get_or_compute("settings".into(), slow));
        assert!(stalled.as_mut().poll(&mut cx).is_pending());
        let next = memo.get_or_compute("settings".into(), || async { Ok::<u32, String>(9) });
        let next = tokio::time::timeout(super::LEAD_WAIT * 2, next).await;
        assert_eq!(next, Ok(Ok(9)));
        drop(stalled);
        drop(kept);
        assert_eq!(memo.get("settings").0, Some(9));
    }
}
