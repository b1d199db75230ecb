import Foundation

/// The PostgreSQL schema fansly-scraper v0.15.1's migrations create (alembic head `b6d60f698c27`):
/// bigint ids, `timestamptz`, real booleans, the `contenttype` enum, `media_stories` instead of
/// `stories`, `stub_tracker`, and quoted camelCase columns. Split in two so that rows are copied
/// into bare tables and the keys, indexes and foreign keys are added (and checked) afterwards,
/// the way a restore does it.
public enum SamplePostgresSchema {
    /// The alembic revision a database created by fansly-scraper v0.15.1 records.
    public static let alembicRevision = "b6d60f698c27"

    /// The enum type, the tables, and the id sequences with their defaults.
    public static let tables: [String] =
        [
            "CREATE TYPE contenttype AS ENUM ('ACCOUNT_MEDIA', 'ACCOUNT_MEDIA_BUNDLE', 'POLL', 'STORY', 'AGGREGATED_POSTS', 'TIP_GOALS')",
            "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL)",
            """
            CREATE TABLE accounts (id bigint NOT NULL, username varchar NOT NULL, "displayName" varchar, flags integer,
                version integer, about varchar, location varchar, following boolean, "profileAccess" boolean,
                "createdAt" timestamptz, subscribed boolean, stash_id integer)
            """,
            #"CREATE TABLE account_avatar ("accountId" bigint, "mediaId" bigint)"#,
            #"CREATE TABLE account_banner ("accountId" bigint, "mediaId" bigint)"#,
            """
            CREATE TABLE media (id bigint NOT NULL, "accountId" bigint NOT NULL, location varchar, mimetype varchar,
                height integer, width integer, type integer, status integer, "createdAt" timestamptz, "updatedAt" timestamptz,
                flags integer, meta_info varchar, duration double precision, local_filename varchar, content_hash varchar,
                is_downloaded boolean DEFAULT false NOT NULL, stash_id integer)
            """,
            #"CREATE TABLE media_variants ("mediaId" bigint NOT NULL, "variantId" bigint NOT NULL)"#,
            #"CREATE TABLE media_locations ("mediaId" bigint NOT NULL, "locationId" bigint NOT NULL, location varchar)"#,
            """
            CREATE TABLE account_media (id bigint NOT NULL, "accountId" bigint NOT NULL, "mediaId" bigint NOT NULL,
                "previewId" bigint, "createdAt" timestamptz NOT NULL, "deletedAt" timestamptz, deleted boolean NOT NULL,
                access boolean NOT NULL, stash_id integer)
            """,
            """
            CREATE TABLE account_media_bundles (id bigint NOT NULL, "accountId" bigint NOT NULL, "previewId" bigint,
                "createdAt" timestamptz NOT NULL, "deletedAt" timestamptz, deleted boolean NOT NULL, access boolean NOT NULL,
                purchased boolean NOT NULL, whitelisted boolean NOT NULL, stash_id integer)
            """,
            "CREATE TABLE account_media_bundle_media (bundle_id bigint NOT NULL, media_id bigint NOT NULL, pos integer NOT NULL)",
            """
            CREATE TABLE posts (id bigint NOT NULL, "accountId" bigint NOT NULL, content varchar, "fypFlag" integer,
                "inReplyTo" bigint, "inReplyToRoot" bigint, "createdAt" timestamptz, "expiresAt" timestamptz, stash_id integer)
            """,
            """
            CREATE TABLE attachments (id bigint NOT NULL, "postId" bigint, "messageId" bigint, "contentId" bigint NOT NULL,
                pos integer NOT NULL, "contentType" contenttype NOT NULL,
                CONSTRAINT check_post_or_message_exclusivity CHECK ("postId" IS NULL OR "messageId" IS NULL))
            """,
            "CREATE TABLE hashtags (id integer NOT NULL, value varchar NOT NULL, stash_id integer)",
            #"CREATE TABLE post_hashtags ("postId" bigint NOT NULL, "hashtagId" integer NOT NULL)"#,
            #"CREATE TABLE post_mentions ("postId" bigint NOT NULL, "accountId" bigint, handle varchar NOT NULL, id integer NOT NULL)"#,
            """
            CREATE TABLE walls (id bigint NOT NULL, "accountId" bigint NOT NULL, pos integer, name varchar,
                description varchar, "createdAt" timestamptz, stash_id integer)
            """,
            #"CREATE TABLE wall_posts ("wallId" bigint NOT NULL, "postId" bigint NOT NULL)"#,
            #"CREATE TABLE pinned_posts ("postId" bigint NOT NULL, "accountId" bigint NOT NULL, pos integer NOT NULL, "createdAt" timestamptz)"#,
            #"CREATE TABLE groups (id bigint NOT NULL, "createdBy" bigint NOT NULL, "lastMessageId" bigint)"#,
            #"CREATE TABLE group_users ("groupId" bigint NOT NULL, "accountId" bigint NOT NULL)"#,
            """
            CREATE TABLE messages (id bigint NOT NULL, "groupId" bigint, "senderId" bigint NOT NULL,
                "createdAt" timestamptz NOT NULL, "deletedAt" timestamptz, deleted boolean NOT NULL,
                content varchar NOT NULL, "recipientId" bigint, stash_id integer)
            """,
            """
            CREATE TABLE timeline_stats ("accountId" bigint NOT NULL, "imageCount" integer, "videoCount" integer,
                "bundleCount" integer, "bundleImageCount" integer, "bundleVideoCount" integer, "fetchedAt" timestamptz)
            """,
            """
            CREATE TABLE media_story_states ("accountId" bigint NOT NULL, status integer, "storyCount" integer,
                version integer, "createdAt" timestamptz, "updatedAt" timestamptz, "hasActiveStories" boolean)
            """,
            """
            CREATE TABLE media_stories (id bigint NOT NULL, "accountId" bigint NOT NULL, "contentType" integer,
                "contentId" bigint, "createdAt" timestamptz NOT NULL, "updatedAt" timestamptz)
            """,
            """
            CREATE TABLE stub_tracker (table_name varchar NOT NULL, record_id bigint NOT NULL,
                created_at timestamptz NOT NULL, reason varchar)
            """,
            """
            CREATE TABLE subscriptions (id bigint NOT NULL, "accountId" bigint NOT NULL, "subscriptionTierId" bigint,
                "subscriptionTierName" varchar, "subscriptionTierColor" varchar, "planId" bigint, "promoId" varchar,
                "giftCodeId" varchar, status integer, price integer, "renewPrice" integer, "renewCorrelationId" varchar,
                "autoRenew" integer, "billingCycle" integer, duration integer, "renewDate" timestamptz,
                "renewDatexD" timestamptz, "createdAt" timestamptz, "updatedAt" timestamptz, "endsAt" timestamptz,
                "promoPrice" integer, "promoDuration" integer, "promoStatus" integer, "promoStartsAt" timestamptz,
                "promoEndsAt" timestamptz, version integer)
            """,
            """
            CREATE TABLE subscription_plans (id bigint NOT NULL, "accountId" bigint NOT NULL, "subscriptionTierId" bigint,
                "billingCycle" integer, price integer, "useAmounts" integer)
            """,
            """
            CREATE TABLE subscription_promos (id bigint NOT NULL, "planId" bigint NOT NULL, status integer, price integer,
                duration integer, "maxUses" integer, "maxUsesBefore" timestamptz, "newSubscribersOnly" integer,
                description varchar, "startsAt" timestamptz, "endsAt" timestamptz)
            """,
            #"CREATE TABLE follow_events (id bigint NOT NULL, "accountId" bigint NOT NULL, observed_at timestamptz NOT NULL, following_state boolean NOT NULL)"#,
            """
            CREATE TABLE monitor_state ("creatorId" bigint NOT NULL, "lastHasActiveStories" boolean,
                "lastCheckedAt" timestamptz, "lastRunAt" timestamptz, "updatedAt" timestamptz NOT NULL)
            """,
        ]
        + sequences.map { table, isInteger in
            """
            CREATE SEQUENCE \(table)_id_seq\(isInteger ? " AS integer" : "") OWNED BY \(table).id;
            ALTER TABLE \(table) ALTER COLUMN id SET DEFAULT nextval('\(table)_id_seq')
            """
        }.flatMap { $0.components(separatedBy: ";\n") }

    /// Tables whose `id` draws from a sequence, and whether that sequence is `AS integer`
    /// (the older tables' sequences are, the v0.13+ tables' are bigint).
    private static let sequences: [(String, Bool)] = [
        ("account_media", true), ("account_media_bundles", true), ("accounts", true), ("attachments", true),
        ("groups", true), ("hashtags", true), ("media", true), ("messages", true), ("post_mentions", true),
        ("posts", true), ("walls", true), ("follow_events", false), ("media_stories", false),
        ("subscription_plans", false), ("subscription_promos", false), ("subscriptions", false),
    ]

    /// Primary keys, unique constraints, indexes and foreign keys.
    public static let constraints: [String] =
        primaryKeys.map { table, columns in
            "ALTER TABLE \(table) ADD PRIMARY KEY (\(columns))"
        } + [
            #"ALTER TABLE account_avatar ADD UNIQUE ("accountId", "mediaId")"#,
            #"ALTER TABLE account_banner ADD UNIQUE ("accountId", "mediaId")"#,
            "ALTER TABLE accounts ADD UNIQUE (username)",
            #"ALTER TABLE media_locations ADD UNIQUE ("mediaId", "locationId")"#,
            #"ALTER TABLE media_variants ADD UNIQUE ("mediaId", "variantId")"#,
            #"ALTER TABLE post_hashtags ADD CONSTRAINT pk_post_hashtags UNIQUE ("postId", "hashtagId")"#,
            #"ALTER TABLE post_mentions ADD CONSTRAINT uix_post_mentions_account UNIQUE ("postId", "accountId")"#,
            #"ALTER TABLE post_mentions ADD CONSTRAINT uix_post_mentions_handle UNIQUE ("postId", handle)"#,
            "ALTER TABLE stub_tracker ADD CONSTRAINT uix_stub_tracker UNIQUE (table_name, record_id)",
            "CREATE UNIQUE INDEX ix_hashtags_value_lower ON hashtags (lower(value))",
            "CREATE INDEX ix_media_content_hash ON media (content_hash)",
            #"CREATE INDEX "ix_account_media_accountId" ON account_media ("accountId")"#,
            #"CREATE INDEX "ix_messages_groupId" ON messages ("groupId")"#,
            #"CREATE INDEX "ix_post_hashtags_postId" ON post_hashtags ("postId")"#,
            #"CREATE INDEX "ix_post_hashtags_hashtagId" ON post_hashtags ("hashtagId")"#,
            #"CREATE INDEX "ix_post_mentions_accountId" ON post_mentions ("accountId")"#,
            #"CREATE INDEX ix_post_mentions_account ON post_mentions ("postId", "accountId") WHERE "accountId" IS NOT NULL"#,
            #"CREATE INDEX ix_post_mentions_handle ON post_mentions ("postId", handle) WHERE handle IS NOT NULL"#,
            #"CREATE INDEX "ix_walls_accountId" ON walls ("accountId")"#,
            #"CREATE INDEX idx_wall_account_created ON walls ("accountId", "createdAt")"#,
            #"CREATE INDEX idx_wall_posts_post ON wall_posts ("postId")"#,
            #"CREATE INDEX idx_wall_posts_wall_post ON wall_posts ("wallId", "postId")"#,
            #"CREATE INDEX "ix_group_users_accountId" ON group_users ("accountId")"#,
            #"CREATE INDEX "ix_media_stories_accountId" ON media_stories ("accountId")"#,
            #"CREATE INDEX "ix_media_stories_contentId" ON media_stories ("contentId")"#,
            "CREATE INDEX ix_stub_tracker_created_at ON stub_tracker (created_at)",
            "CREATE INDEX ix_stub_tracker_table_name ON stub_tracker (table_name)",
            #"CREATE INDEX "ix_subscriptions_accountId" ON subscriptions ("accountId")"#,
            #"CREATE INDEX "ix_follow_events_accountId" ON follow_events ("accountId")"#,
        ]
        + foreignKeys.map { table, column, target, cascade in
            "ALTER TABLE \(table) ADD FOREIGN KEY (\(column)) REFERENCES \(target)(id)\(cascade ? " ON DELETE CASCADE" : "")"
        }

    private static let primaryKeys: [(String, String)] = [
        ("alembic_version", "version_num"), ("accounts", "id"), ("media", "id"), ("account_media", "id"),
        ("account_media_bundles", "id"), ("account_media_bundle_media", "bundle_id, media_id"), ("posts", "id"),
        ("attachments", "id"), ("hashtags", "id"), ("post_mentions", "id"), ("walls", "id"),
        ("wall_posts", #""wallId", "postId""#), ("pinned_posts", #""postId", "accountId""#), ("groups", "id"),
        ("group_users", #""groupId", "accountId""#), ("messages", "id"), ("media_variants", #""mediaId", "variantId""#),
        ("timeline_stats", #""accountId""#), ("media_story_states", #""accountId""#), ("media_stories", "id"),
        ("subscriptions", "id"), ("subscription_plans", "id"), ("subscription_promos", "id"), ("follow_events", "id"),
        ("monitor_state", #""creatorId""#),
    ]

    /// (table, column, referenced table, ON DELETE CASCADE). Bundle previews point at `media`,
    /// bundle members at `account_media`; attachment contents, group last messages and mention
    /// accounts have no foreign key (the downloader's data leave them dangling).
    private static let foreignKeys: [(String, String, String, Bool)] = [
        ("account_avatar", #""accountId""#, "accounts", false), ("account_avatar", #""mediaId""#, "media", false),
        ("account_banner", #""accountId""#, "accounts", false), ("account_banner", #""mediaId""#, "media", false),
        ("media", #""accountId""#, "accounts", false),
        ("media_variants", #""mediaId""#, "media", false), ("media_variants", #""variantId""#, "media", false),
        ("media_locations", #""mediaId""#, "media", true),
        ("account_media", #""accountId""#, "accounts", true), ("account_media", #""mediaId""#, "media", true),
        ("account_media", #""previewId""#, "media", false),
        ("account_media_bundles", #""accountId""#, "accounts", false),
        ("account_media_bundles", #""previewId""#, "media", false),
        ("account_media_bundle_media", "bundle_id", "account_media_bundles", true),
        ("account_media_bundle_media", "media_id", "account_media", true),
        ("posts", #""accountId""#, "accounts", false),
        ("attachments", #""postId""#, "posts", false), ("attachments", #""messageId""#, "messages", false),
        ("post_hashtags", #""postId""#, "posts", true), ("post_hashtags", #""hashtagId""#, "hashtags", true),
        ("post_mentions", #""postId""#, "posts", true),
        ("walls", #""accountId""#, "accounts", false),
        ("wall_posts", #""wallId""#, "walls", true), ("wall_posts", #""postId""#, "posts", true),
        ("pinned_posts", #""postId""#, "posts", false), ("pinned_posts", #""accountId""#, "accounts", false),
        ("groups", #""createdBy""#, "accounts", false), ("group_users", #""groupId""#, "groups", false),
        ("messages", #""groupId""#, "groups", false), ("messages", #""senderId""#, "accounts", false),
        ("messages", #""recipientId""#, "accounts", false),
        ("timeline_stats", #""accountId""#, "accounts", false),
        ("media_story_states", #""accountId""#, "accounts", false),
        ("media_stories", #""accountId""#, "accounts", false),
        ("media_stories", #""contentId""#, "account_media", false),
        ("subscriptions", #""accountId""#, "accounts", false),
        ("subscription_plans", #""accountId""#, "accounts", false),
        ("subscription_promos", #""planId""#, "subscription_plans", false),
        ("follow_events", #""accountId""#, "accounts", false), ("monitor_state", #""creatorId""#, "accounts", false),
    ]
}
