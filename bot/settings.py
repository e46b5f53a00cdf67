"""Settings from the environment or a `.env` file (names as in SPEC section 10)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from analytics.disclosure import Rules
    from forum_ops.returns.plausibility import Plausibility

# local mode only (no app id): with an app id a secret of the deployment's own is required
LOCAL_CELL_KEY_SECRET = "local demo cell-key secret, never for production"  # noqa: S105
BOT_FRAMEWORK_OPENID_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"


class AppType(StrEnum):
    MULTI_TENANT = "MultiTenant"
    SINGLE_TENANT = "SingleTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    microsoft_app_id: str = ""
    microsoft_app_password: str = ""
    microsoft_app_type: AppType = AppType.MULTI_TENANT
    microsoft_app_tenant_id: str = ""

    # What carries activities (bot/transports/): botbuilder (the Bot Framework SDK) or agents
    # (the Microsoft 365 Agents SDK)
    forum_transport: Literal["botbuilder", "agents"] = "botbuilder"
    forum_database_url: str = f"sqlite:///{Path.cwd() / 'forum.db'}"
    forum_allowed_tenants: str = ""  # comma-separated tenant ids; empty = any (local mode only)
    forum_graph_base_url: str = "https://graph.microsoft.com/v1.0"
    # Meetings through Graph (bot/calendar.py): an app registration of the forum's own tenant
    # with the Calendars.ReadWrite application permission (not the bot's, which may be
    # multi-tenant), and the mailbox that organises the meetings. Unset: .ics files locally.
    forum_graph_tenant_id: str = ""
    forum_graph_client_id: str = ""
    forum_graph_client_secret: str = ""
    forum_graph_organiser: str = ""  # e.g. send-forum@liia.london
    forum_calendar_dir: str = "invitations"  # local mode: where .ics invitations are written
    # Unset, `forumbot serve` uses http://127.0.0.1:<its --port> (bot/cli.py), so links follow it
    forum_public_url: str = "http://127.0.0.1:3978"
    # Where inbound Bot Framework tokens' signing keys are published; tests point it at a fake.
    forum_openid_metadata_url: str = BOT_FRAMEWORK_OPENID_METADATA
    forum_log_level: str = "INFO"
    forum_max_request_bytes: int = 256 * 1024
    # A member's offer to chair waits for the secretariat, who are told at once; unanswered this
    # long, the member chairs (bot/commands/meetings/commands.py)
    forum_chair_quiet_hours: float = 48.0
    # Start-up (bot/app.py): the server listens at once and builds the bot behind it; a message
    # that arrives meanwhile waits this long for it (under Teams' 15 s), then gets 503.
    forum_start_hold_seconds: float = 10.0
    # The forum's channel for announcements and agendas: a conversation id such as
    # 19:...@thread.tacv2; empty = the channel where the bot was last installed in a team.
    forum_channel_id: str = ""
    # The peer-support round robin (forum_ops/asks/service.py): where ask cards are posted (a channel's
    # conversation id; empty = the forum's channel), how many colleagues are asked at once, and
    # how many more are asked one by one after Passes and silences before the secretariat is told.
    forum_peer_support_channel_id: str = ""
    forum_ask_responders: int = Field(default=3, ge=1, le=10)
    forum_ask_reroutes: int = Field(default=4, ge=0, le=30)

    # Delivery of proactive messages (SPEC section 8): Teams' limits as count/seconds windows.
    forum_outbox_conversation_limits: str = "7/1,8/2,60/30,1800/3600"
    forum_outbox_tenant_limits: str = "50/1"  # per app and tenant, for each replica
    forum_outbox_tenant_burst: int = 5  # messages that may go at once within the tenant's limit
    # A refused request posted nothing, so by default its place in the windows is given back;
    # true counts refused requests against the limits too (should Teams turn out to count them).
    forum_outbox_count_refused: bool = False
    # Retries: within 0.1 s at first, then doubling (full jitter) to at most a minute; 12 attempts
    # ride out about a minute and a half of refusals before a message is dead.
    forum_outbox_max_attempts: int = 12
    forum_outbox_backoff_seconds: float = 0.1
    forum_outbox_backoff_max_seconds: float = 60.0
    # The whole worker's pause after a 429 without Retry-After; doubles while 429s keep coming.
    forum_outbox_throttle_seconds: float = 0.05
    forum_outbox_lease_seconds: float = 60.0  # a dead worker's messages are retried after this
    # A worker leases what the limits let it send in this many seconds: a kill -9 may send only
    # leased messages twice.
    forum_outbox_lease_ahead_seconds: float = 0.5
    forum_outbox_poll_seconds: float = 1.0

    # Scheduled jobs (bot/features.py, `jobs=`): how often each replica looks for due occurrences, and
    # how long a runner holds one before another may take it (a runner that died, say).
    forum_scheduler_poll_seconds: float = 5.0
    forum_scheduler_lease_seconds: float = 300.0
    # "module:attribute" naming more Jobs to run beside the forum's own (tests, local trials).
    forum_scheduler_extra_jobs: str = ""

    # Disclosure control of the INMSS benchmarks (DOMAIN.md rules 1-9; SPEC 6.2)
    forum_disclosure_small_count: int = 5
    forum_disclosure_min_boroughs: int = 3
    forum_disclosure_min_placements: int = 5
    forum_disclosure_min_placements_quartiles: int = 10
    forum_disclosure_p_percent: float = 10.0
    forum_disclosure_max_borough_share: float = 0.5
    # rule 2: a published median or quartile is the mean of this many placements' values around
    # it, from at least min_boroughs boroughs; then moved by at most price_noise either way and
    # rounded to price_rounding pounds (analytics/disclosure.py)
    forum_disclosure_blend: Annotated[int, Field(ge=3, le=50)] = 5
    forum_disclosure_price_noise: Annotated[float, Field(ge=0, le=0.2)] = 0.03
    forum_disclosure_price_rounding: Annotated[int, Field(ge=1)] = 100
    forum_disclosure_min_boroughs_spread: Annotated[int, Field(ge=4)] = 5
    # the secret behind the price noise: required with MICROSOFT_APP_ID (anyone with the code
    # could otherwise work the noise out); local mode uses a fixed one. Changing it changes
    # every published price once.
    forum_disclosure_cell_key_secret: str = ""
    # upper quartile over lower quartile of the boroughs' averages for one provider and type
    forum_rate_variation_threshold: float = 1.2
    # Plausibility (DOMAIN rule 11): a return is held for the secretariat when it has more than
    # factor x the borough's SEN2 pupils in INMSS (plus slack), or fees outside [lowest / f,
    # highest x f] of the boroughs' averages for the provider in the last release
    forum_returns_volume_factor: Annotated[float, Field(gt=1)] = 1.5
    forum_returns_volume_slack: Annotated[int, Field(ge=0)] = 10
    forum_returns_fee_factor: Annotated[float, Field(gt=1)] = 2.0
    # Speed (bot/warm.py): how often each replica reads the features' data again if an import
    # changed it, so the first request after an import does not wait; 0 = only at start-up.
    forum_warm_every_seconds: float = 60.0
    # import the features' modules and read their data once the app answers (tests that time
    # the outbox to a tenth of a second turn it off: the imports hold the interpreter meanwhile)
    forum_warm_at_start: bool = True
    forum_max_upload_bytes: int = 10 * 1024 * 1024  # a return file sent in chat
    # Where Teams serves files sent to the bot (downloadUrl of a file.download.info attachment):
    # comma-separated names, `*.` for any name under one. Fetched over https, public addresses only.
    forum_file_download_hosts: str = "*.sharepoint.com"
    # TESTS ONLY: exact origins (http://127.0.0.1:PORT) a fake serves files from, over http and on
    # loopback. Refused when MICROSOFT_APP_ID is set, so no real deployment can enable it.
    forum_test_file_origins: str = ""
    forum_max_concurrent_imports: int = 2  # return files read at once; more wait their turn
    # A GIAS import that would close more than this share of the supplier directory is refused
    # (a cut-short download looks like mass closures) unless --allow-mass-closure is given.
    forum_suppliers_max_closed_share: float = 0.10
    # ToR ratification (forum_ops/tor/service.py): quorum, a share of the 33 boroughs that must vote (at
    # least); majority, a share of votes cast, abstentions not counted, approving (more than);
    # the deadline when `tor open` gives none, in working days from opening (at 17:00 London)
    forum_tor_quorum: Annotated[float, Field(gt=0, le=1)] = 0.5
    forum_tor_majority: Annotated[float, Field(ge=0, lt=1)] = 0.5
    forum_tor_voting_days: Annotated[int, Field(ge=1, le=60)] = 10

    @property
    def auth_enabled(self) -> bool:
        return bool(self.microsoft_app_id)

    @property
    def graph_configured(self) -> bool:
        return all(
            (
                self.forum_graph_tenant_id,
                self.forum_graph_client_id,
                self.forum_graph_client_secret,
                self.forum_graph_organiser,
            )
        )

    @property
    def allowed_tenants(self) -> frozenset[str]:
        return frozenset(
            t.strip().lower() for t in self.forum_allowed_tenants.split(",") if t.strip()
        )

    @property
    def file_download_hosts(self) -> frozenset[str]:
        return frozenset(
            h.strip().lower() for h in self.forum_file_download_hosts.split(",") if h.strip()
        )

    @property
    def test_file_origins(self) -> frozenset[str]:
        return frozenset(
            o.strip().lower().rstrip("/")
            for o in self.forum_test_file_origins.split(",")
            if o.strip()
        )

    def disclosure_rules(self) -> Rules:
        """The INMSS benchmarks' disclosure thresholds (DOMAIN.md rule 7: configuration)."""
        from analytics.disclosure import Rules  # numpy: not at start-up

        return Rules(
            small_count=self.forum_disclosure_small_count,
            min_boroughs=self.forum_disclosure_min_boroughs,
            min_placements=self.forum_disclosure_min_placements,
            min_placements_quartiles=self.forum_disclosure_min_placements_quartiles,
            p_percent=self.forum_disclosure_p_percent,
            max_borough_share=self.forum_disclosure_max_borough_share,
            blend=self.forum_disclosure_blend,
            min_boroughs_spread=self.forum_disclosure_min_boroughs_spread,
            price_noise=self.forum_disclosure_price_noise,
            price_rounding=self.forum_disclosure_price_rounding,
            cell_key_secret=self.forum_disclosure_cell_key_secret or LOCAL_CELL_KEY_SECRET,
        )

    def plausibility(self) -> Plausibility:
        """When a return is held for the secretariat before it may enter a release (rule 11)."""
        from forum_ops.returns.plausibility import Plausibility  # pandas: not at start-up

        return Plausibility(
            volume_factor=self.forum_returns_volume_factor,
            volume_slack=self.forum_returns_volume_slack,
            fee_factor=self.forum_returns_fee_factor,
        )

    def tenant_allowed(self, tenant_id: str | None) -> bool:
        if not self.allowed_tenants:
            return True  # only possible with no app id: local or emulator use
        return bool(tenant_id) and tenant_id.lower() in self.allowed_tenants  # type: ignore[union-attr]

    @model_validator(mode="after")
    def _tenants_required_with_app_id(self) -> Settings:
        if self.microsoft_app_id and not self.allowed_tenants:
            raise ValueError(
                "FORUM_ALLOWED_TENANTS must list the tenant ids to serve when MICROSOFT_APP_ID is set"
            )
        if self.microsoft_app_id and self.forum_test_file_origins:
            raise ValueError(
                "FORUM_TEST_FILE_ORIGINS is for tests against a local fake; it cannot be set "
                "with MICROSOFT_APP_ID"
            )
        single = self.microsoft_app_type is AppType.SINGLE_TENANT
        if single and self.microsoft_app_id and not self.microsoft_app_tenant_id:
            raise ValueError("MICROSOFT_APP_TENANT_ID is required for a SingleTenant bot")
        secret = self.forum_disclosure_cell_key_secret
        if self.microsoft_app_id and (len(secret) < 32 or secret == LOCAL_CELL_KEY_SECRET):
            raise ValueError(
                "FORUM_DISCLOSURE_CELL_KEY_SECRET must be set to a secret of at least 32 "
                "characters when MICROSOFT_APP_ID is set (it keys the noise on published INMSS "
                'prices): for example the output of python -c "import secrets; '
                'print(secrets.token_hex(32))", kept in your key vault'
            )
        return self
