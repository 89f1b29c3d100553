//! TV displays: what each office screen shows (which slides, how long each, one team or the
//! whole organisation) and whether it keeps money private. The desk's displays area edits
//! them; the TV reads them.

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Seconds a slide stays up when none is chosen.
pub const DEFAULT_SECONDS: i64 = 20;

/// One slide of the TV rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slide {
    /// Activity-score ranking with the Activity Index.
    Ranking,
    /// Scorecard attainment with bands, per rep.
    Scorecards,
    /// Team totals against team targets.
    TeamRace,
    /// Change against the previous equivalent period.
    MostImproved,
    /// Personal bests this period.
    PersonalBests,
    /// The latest deals won.
    RecentWins,
    /// Weighted pipeline by expected close month (a chart).
    Pipeline,
    /// Turnover against objective (a gauge).
    Turnover,
}

impl Slide {
    /// Every slide, in the default rotation order.
    pub const ALL: [Slide; 8] = [
        Slide::Ranking,
        Slide::Scorecards,
        Slide::TeamRace,
        Slide::MostImproved,
        Slide::PersonalBests,
        Slide::RecentWins,
        Slide::Pipeline,
        Slide::Turnover,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Slide::Ranking => "ranking",
            Slide::Scorecards => "scorecards",
            Slide::TeamRace => "team_race",
            Slide::MostImproved => "most_improved",
            Slide::PersonalBests => "personal_bests",
            Slide::RecentWins => "recent_wins",
            Slide::Pipeline => "pipeline",
            Slide::Turnover => "turnover",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Slide::Ranking => "Activity ranking",
            Slide::Scorecards => "Scorecard attainment",
            Slide::TeamRace => "Team race",
            Slide::MostImproved => "Most improved",
            Slide::PersonalBests => "Personal bests",
            Slide::RecentWins => "Recent wins",
            Slide::Pipeline => "Weighted pipeline",
            Slide::Turnover => "Turnover against objective",
        }
    }

    pub fn parse(key: &str) -> Option<Slide> {
        Slide::ALL.into_iter().find(|s| s.key() == key.trim())
    }

    /// Slides that show amounts of money: in privacy mode they show counts, ranks and
    /// attainment instead.
    pub fn shows_money(self) -> bool {
        matches!(self, Slide::RecentWins | Slide::Pipeline | Slide::Turnover)
    }
}

/// A display as the desk lists it and as the TV plays it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayConfig {
    pub id: i64,
    pub name: String,
    /// The team shown; `None` for the whole organisation.
    pub team: Option<String>,
    pub team_id: Option<i64>,
    /// In rotation order; never empty (the default set when none was chosen).
    pub slides: Vec<Slide>,
    /// Whether the slides are the default set (none chosen).
    pub default_slides: bool,
    pub seconds_per_slide: i64,
    /// Ranks, bands and points only: never money.
    pub privacy: bool,
    /// A sound with the celebration of a won deal.
    pub sound: bool,
    /// What the ranking slide ranks by (a leaderboard metric key); `None` for the
    /// activity score.
    pub ranking_metric: Option<String>,
    pub created_at: String,
    pub revoked: bool,
}

/// What the display forms post: every value as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayForm {
    #[serde(default)]
    pub name: String,
    /// A team name, or empty for the whole organisation.
    #[serde(default)]
    pub team: String,
    /// Slide keys in order; none for the default set.
    #[serde(default)]
    pub slides: Vec<String>,
    /// Seconds per slide; empty for the default.
    #[serde(default)]
    pub seconds: String,
    /// A checked box posts "on".
    #[serde(default)]
    pub privacy: Option<String>,
    #[serde(default)]
    pub sound: Option<String>,
    /// The ranking slide's metric key; empty for the activity score.
    #[serde(default)]
    pub metric: String,
}

/// The displays area: every display, and the team names to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplaysDesk {
    pub displays: Vec<DisplayConfig>,
    pub teams: Vec<String>,
    /// What a ranking slide can rank by.
    pub metrics: Vec<crate::leaderboard::MetricChoice>,
}

/// A new display's link, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDisplay {
    pub id: i64,
    pub name: String,
    /// `/tv/<token>`: the token is not stored, so this is the only time it is shown.
    pub path: String,
}

#[server(endpoint = "displays_desk")]
pub async fn get_displays_desk() -> Result<DisplaysDesk, AppError> {
    crate::server::respond(async move {
        crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        service::desk(&state.db).await
    })
    .await
}

/// Creates a display with its slides and privacy; returns its link, shown only once.
#[server(endpoint = "admin_create_display")]
pub async fn admin_create_display(form: DisplayForm) -> Result<NewDisplay, AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let draft = service::parse_form(&form)?;
        let (id, token) = service::create(&state.db, &admin.email, &draft).await?;
        Ok(NewDisplay {
            id,
            name: draft.name,
            path: format!("/tv/{token}"),
        })
    })
    .await
}

/// Changes a display's name, team, slides, seconds per slide, privacy or sound; an open
/// TV picks the change up at once.
#[server(endpoint = "admin_update_display")]
pub async fn admin_update_display(id: i64, form: DisplayForm) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let draft = service::parse_form(&form)?;
        service::update(&state.db, &state.live, &admin.email, id, &draft).await
    })
    .await
}
