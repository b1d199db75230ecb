/// The schema fansly-scraper v0.15.1's migrations create (alembic head b6d60f698c27), as in
/// `fansly-metadata-pg-schema.sql` of the reference, without psql's meta-commands and comments:
/// run it in an empty database to get the downloader's exact tables, types and constraints.
public enum FanslyPostgresSchema {
    /// The alembic revision the schema is at.
    public static let alembicHead = "b6d60f698c27"

    public static let sql = #"""
CREATE TYPE public.contenttype AS ENUM (
    'ACCOUNT_MEDIA',
    'ACCOUNT_MEDIA_BUNDLE',
    'POLL',
    'STORY',
    'AGGREGATED_POSTS',
    'TIP_GOALS'
);

CREATE TABLE public.account_avatar (
    "accountId" bigint,
    "mediaId" bigint
);

CREATE TABLE public.account_banner (
    "accountId" bigint,
    "mediaId" bigint
);

CREATE TABLE public.account_media (
    id bigint NOT NULL,
    "accountId" bigint NOT NULL,
    "mediaId" bigint NOT NULL,
    "previewId" bigint,
    "createdAt" timestamp with time zone NOT NULL,
    "deletedAt" timestamp with time zone,
    deleted boolean NOT NULL,
    access boolean NOT NULL,
    stash_id integer
);

CREATE TABLE public.account_media_bundle_media (
    bundle_id bigint NOT NULL,
    media_id bigint NOT NULL,
    pos integer NOT NULL
);

CREATE TABLE public.account_media_bundles (
    id bigint NOT NULL,
    "accountId" bigint NOT NULL,
    "previewId" bigint,
    "createdAt" timestamp with time zone NOT NULL,
    "deletedAt" timestamp with time zone,
    deleted boolean NOT NULL,
    access boolean NOT NULL,
    purchased boolean NOT NULL,
    whitelisted boolean NOT NULL,
    stash_id integer
);

CREATE SEQUENCE public.account_media_bundles_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.account_media_bundles_id_seq OWNED BY public.account_media_bundles.id;

CREATE SEQUENCE public.account_media_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.account_media_id_seq OWNED BY public.account_media.id;

CREATE TABLE public.accounts (
    id bigint NOT NULL,
    username character varying NOT NULL,
    "displayName" character varying,
    flags integer,
    version integer,
    about character varying,
    location character varying,
    following boolean,
    "profileAccess" boolean,
    "createdAt" timestamp with time zone,
    subscribed boolean,
    stash_id integer
);

CREATE SEQUENCE public.accounts_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.accounts_id_seq OWNED BY public.accounts.id;

CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);

CREATE TABLE public.attachments (
    id bigint NOT NULL,
    "postId" bigint,
    "messageId" bigint,
    "contentId" bigint NOT NULL,
    pos integer NOT NULL,
    "contentType" public.contenttype NOT NULL,
    CONSTRAINT check_post_or_message_exclusivity CHECK ((("postId" IS NULL) OR ("messageId" IS NULL)))
);

CREATE SEQUENCE public.attachments_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.attachments_id_seq OWNED BY public.attachments.id;

CREATE TABLE public.follow_events (
    id bigint NOT NULL,
    "accountId" bigint NOT NULL,
    observed_at timestamp with time zone NOT NULL,
    following_state boolean NOT NULL
);

CREATE SEQUENCE public.follow_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.follow_events_id_seq OWNED BY public.follow_events.id;

CREATE TABLE public.group_users (
    "groupId" bigint NOT NULL,
    "accountId" bigint NOT NULL
);

CREATE TABLE public.groups (
    id bigint NOT NULL,
    "createdBy" bigint NOT NULL,
    "lastMessageId" bigint
);

CREATE SEQUENCE public.groups_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.groups_id_seq OWNED BY public.groups.id;

CREATE TABLE public.hashtags (
    id integer NOT NULL,
    value character varying NOT NULL,
    stash_id integer
);

CREATE SEQUENCE public.hashtags_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.hashtags_id_seq OWNED BY public.hashtags.id;

CREATE TABLE public.media (
    id bigint NOT NULL,
    "accountId" bigint NOT NULL,
    location character varying,
    mimetype character varying,
    height integer,
    width integer,
    type integer,
    status integer,
    "createdAt" timestamp with time zone,
    "updatedAt" timestamp with time zone,
    flags integer,
    meta_info character varying,
    duration double precision,
    local_filename character varying,
    content_hash character varying,
    is_downloaded boolean DEFAULT false NOT NULL,
    stash_id integer
);

CREATE SEQUENCE public.media_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.media_id_seq OWNED BY public.media.id;

CREATE TABLE public.media_locations (
    "mediaId" bigint NOT NULL,
    "locationId" bigint NOT NULL,
    location character varying
);

CREATE TABLE public.media_stories (
    id bigint NOT NULL,
    "accountId" bigint NOT NULL,
    "contentType" integer,
    "contentId" bigint,
    "createdAt" timestamp with time zone NOT NULL,
    "updatedAt" timestamp with time zone
);

CREATE SEQUENCE public.media_stories_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.media_stories_id_seq OWNED BY public.media_stories.id;

CREATE TABLE public.media_story_states (
    "accountId" bigint NOT NULL,
    status integer,
    "storyCount" integer,
    version integer,
    "createdAt" timestamp with time zone,
    "updatedAt" timestamp with time zone,
    "hasActiveStories" boolean
);

CREATE TABLE public.media_variants (
    "mediaId" bigint NOT NULL,
    "variantId" bigint NOT NULL
);

CREATE TABLE public.messages (
    id bigint NOT NULL,
    "groupId" bigint,
    "senderId" bigint NOT NULL,
    "createdAt" timestamp with time zone NOT NULL,
    "deletedAt" timestamp with time zone,
    deleted boolean NOT NULL,
    content character varying NOT NULL,
    "recipientId" bigint,
    stash_id integer
);

CREATE SEQUENCE public.messages_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.messages_id_seq OWNED BY public.messages.id;

CREATE TABLE public.monitor_state (
    "creatorId" bigint NOT NULL,
    "lastHasActiveStories" boolean,
    "lastCheckedAt" timestamp with time zone,
    "lastRunAt" timestamp with time zone,
    "updatedAt" timestamp with time zone NOT NULL
);

CREATE TABLE public.pinned_posts (
    "postId" bigint NOT NULL,
    "accountId" bigint NOT NULL,
    pos integer NOT NULL,
    "createdAt" timestamp with time zone
);

CREATE TABLE public.post_hashtags (
    "postId" bigint NOT NULL,
    "hashtagId" integer NOT NULL
);

CREATE TABLE public.post_mentions (
    "postId" bigint NOT NULL,
    "accountId" bigint,
    handle character varying NOT NULL,
    id integer NOT NULL
);

CREATE SEQUENCE public.post_mentions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.post_mentions_id_seq OWNED BY public.post_mentions.id;

CREATE TABLE public.posts (
    id bigint NOT NULL,
    "accountId" bigint NOT NULL,
    content character varying,
    "fypFlag" integer,
    "inReplyTo" bigint,
    "inReplyToRoot" bigint,
    "createdAt" timestamp with time zone,
    "expiresAt" timestamp with time zone,
    stash_id integer
);

CREATE SEQUENCE public.posts_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.posts_id_seq OWNED BY public.posts.id;

CREATE TABLE public.stub_tracker (
    table_name character varying NOT NULL,
    record_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    reason character varying
);

CREATE TABLE public.subscription_plans (
    id bigint NOT NULL,
    "accountId" bigint NOT NULL,
    "subscriptionTierId" bigint,
    "billingCycle" integer,
    price integer,
    "useAmounts" integer
);

CREATE SEQUENCE public.subscription_plans_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.subscription_plans_id_seq OWNED BY public.subscription_plans.id;

CREATE TABLE public.subscription_promos (
    id bigint NOT NULL,
    "planId" bigint NOT NULL,
    status integer,
    price integer,
    duration integer,
    "maxUses" integer,
    "maxUsesBefore" timestamp with time zone,
    "newSubscribersOnly" integer,
    description character varying,
    "startsAt" timestamp with time zone,
    "endsAt" timestamp with time zone
);

CREATE SEQUENCE public.subscription_promos_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.subscription_promos_id_seq OWNED BY public.subscription_promos.id;

CREATE TABLE public.subscriptions (
    id bigint NOT NULL,
    "accountId" bigint NOT NULL,
    "subscriptionTierId" bigint,
    "subscriptionTierName" character varying,
    "subscriptionTierColor" character varying,
    "planId" bigint,
    "promoId" character varying,
    "giftCodeId" character varying,
    status integer,
    price integer,
    "renewPrice" integer,
    "renewCorrelationId" character varying,
    "autoRenew" integer,
    "billingCycle" integer,
    duration integer,
    "renewDate" timestamp with time zone,
    "renewDatexD" timestamp with time zone,
    "createdAt" timestamp with time zone,
    "updatedAt" timestamp with time zone,
    "endsAt" timestamp with time zone,
    "promoPrice" integer,
    "promoDuration" integer,
    "promoStatus" integer,
    "promoStartsAt" timestamp with time zone,
    "promoEndsAt" timestamp with time zone,
    version integer
);

CREATE SEQUENCE public.subscriptions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.subscriptions_id_seq OWNED BY public.subscriptions.id;

CREATE TABLE public.timeline_stats (
    "accountId" bigint NOT NULL,
    "imageCount" integer,
    "videoCount" integer,
    "bundleCount" integer,
    "bundleImageCount" integer,
    "bundleVideoCount" integer,
    "fetchedAt" timestamp with time zone
);

CREATE TABLE public.wall_posts (
    "wallId" bigint NOT NULL,
    "postId" bigint NOT NULL
);

CREATE TABLE public.walls (
    id bigint NOT NULL,
    "accountId" bigint NOT NULL,
    pos integer,
    name character varying,
    description character varying,
    "createdAt" timestamp with time zone,
    stash_id integer
);

CREATE SEQUENCE public.walls_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.walls_id_seq OWNED BY public.walls.id;

ALTER TABLE ONLY public.account_media ALTER COLUMN id SET DEFAULT nextval('public.account_media_id_seq'::regclass);

ALTER TABLE ONLY public.account_media_bundles ALTER COLUMN id SET DEFAULT nextval('public.account_media_bundles_id_seq'::regclass);

ALTER TABLE ONLY public.accounts ALTER COLUMN id SET DEFAULT nextval('public.accounts_id_seq'::regclass);

ALTER TABLE ONLY public.attachments ALTER COLUMN id SET DEFAULT nextval('public.attachments_id_seq'::regclass);

ALTER TABLE ONLY public.follow_events ALTER COLUMN id SET DEFAULT nextval('public.follow_events_id_seq'::regclass);

ALTER TABLE ONLY public.groups ALTER COLUMN id SET DEFAULT nextval('public.groups_id_seq'::regclass);

ALTER TABLE ONLY public.hashtags ALTER COLUMN id SET DEFAULT nextval('public.hashtags_id_seq'::regclass);

ALTER TABLE ONLY public.media ALTER COLUMN id SET DEFAULT nextval('public.media_id_seq'::regclass);

ALTER TABLE ONLY public.media_stories ALTER COLUMN id SET DEFAULT nextval('public.media_stories_id_seq'::regclass);

ALTER TABLE ONLY public.messages ALTER COLUMN id SET DEFAULT nextval('public.messages_id_seq'::regclass);

ALTER TABLE ONLY public.post_mentions ALTER COLUMN id SET DEFAULT nextval('public.post_mentions_id_seq'::regclass);

ALTER TABLE ONLY public.posts ALTER COLUMN id SET DEFAULT nextval('public.posts_id_seq'::regclass);

ALTER TABLE ONLY public.subscription_plans ALTER COLUMN id SET DEFAULT nextval('public.subscription_plans_id_seq'::regclass);

ALTER TABLE ONLY public.subscription_promos ALTER COLUMN id SET DEFAULT nextval('public.subscription_promos_id_seq'::regclass);

ALTER TABLE ONLY public.subscriptions ALTER COLUMN id SET DEFAULT nextval('public.subscriptions_id_seq'::regclass);

ALTER TABLE ONLY public.walls ALTER COLUMN id SET DEFAULT nextval('public.walls_id_seq'::regclass);

ALTER TABLE ONLY public.account_media_bundle_media
    ADD CONSTRAINT _account_media_bundle_media_new_pkey PRIMARY KEY (bundle_id, media_id);

ALTER TABLE ONLY public.account_avatar
    ADD CONSTRAINT "account_avatar_accountId_mediaId_key" UNIQUE ("accountId", "mediaId");

ALTER TABLE ONLY public.account_banner
    ADD CONSTRAINT "account_banner_accountId_mediaId_key" UNIQUE ("accountId", "mediaId");

ALTER TABLE ONLY public.account_media_bundles
    ADD CONSTRAINT account_media_bundles_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.account_media
    ADD CONSTRAINT account_media_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_username_key UNIQUE (username);

ALTER TABLE ONLY public.alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.follow_events
    ADD CONSTRAINT follow_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.group_users
    ADD CONSTRAINT group_users_pkey PRIMARY KEY ("groupId", "accountId");

ALTER TABLE ONLY public.groups
    ADD CONSTRAINT groups_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.media_locations
    ADD CONSTRAINT "media_locations_mediaId_locationId_key" UNIQUE ("mediaId", "locationId");

ALTER TABLE ONLY public.media
    ADD CONSTRAINT media_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.media_stories
    ADD CONSTRAINT media_stories_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.media_story_states
    ADD CONSTRAINT media_story_states_pkey PRIMARY KEY ("accountId");

ALTER TABLE ONLY public.media_variants
    ADD CONSTRAINT "media_variants_mediaId_variantId_key" UNIQUE ("mediaId", "variantId");

ALTER TABLE ONLY public.media_variants
    ADD CONSTRAINT media_variants_pkey PRIMARY KEY ("mediaId", "variantId");

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.monitor_state
    ADD CONSTRAINT monitor_state_pkey PRIMARY KEY ("creatorId");

ALTER TABLE ONLY public.pinned_posts
    ADD CONSTRAINT pinned_posts_pkey PRIMARY KEY ("postId", "accountId");

ALTER TABLE ONLY public.hashtags
    ADD CONSTRAINT pk_hashtags PRIMARY KEY (id);

ALTER TABLE ONLY public.post_hashtags
    ADD CONSTRAINT pk_post_hashtags UNIQUE ("postId", "hashtagId");

ALTER TABLE ONLY public.post_mentions
    ADD CONSTRAINT post_mentions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.posts
    ADD CONSTRAINT posts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.subscription_plans
    ADD CONSTRAINT subscription_plans_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.subscription_promos
    ADD CONSTRAINT subscription_promos_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.subscriptions
    ADD CONSTRAINT subscriptions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.timeline_stats
    ADD CONSTRAINT timeline_stats_pkey PRIMARY KEY ("accountId");

ALTER TABLE ONLY public.post_mentions
    ADD CONSTRAINT uix_post_mentions_account UNIQUE ("postId", "accountId");

ALTER TABLE ONLY public.post_mentions
    ADD CONSTRAINT uix_post_mentions_handle UNIQUE ("postId", handle);

ALTER TABLE ONLY public.stub_tracker
    ADD CONSTRAINT uix_stub_tracker UNIQUE (table_name, record_id);

ALTER TABLE ONLY public.wall_posts
    ADD CONSTRAINT wall_posts_pkey PRIMARY KEY ("wallId", "postId");

ALTER TABLE ONLY public.walls
    ADD CONSTRAINT walls_pkey PRIMARY KEY (id);

CREATE INDEX idx_follow_events_account_observed ON public.follow_events USING btree ("accountId", observed_at);

CREATE INDEX idx_wall_account_created ON public.walls USING btree ("accountId", "createdAt");

CREATE INDEX idx_wall_posts_post ON public.wall_posts USING btree ("postId");

CREATE INDEX idx_wall_posts_wall_post ON public.wall_posts USING btree ("wallId", "postId");

CREATE INDEX "ix_account_media_accountId" ON public.account_media USING btree ("accountId");

CREATE INDEX "ix_follow_events_accountId" ON public.follow_events USING btree ("accountId");

CREATE INDEX "ix_group_users_accountId" ON public.group_users USING btree ("accountId");

CREATE UNIQUE INDEX ix_hashtags_value_lower ON public.hashtags USING btree (lower((value)::text));

CREATE INDEX ix_media_content_hash ON public.media USING btree (content_hash);

CREATE INDEX "ix_media_stories_accountId" ON public.media_stories USING btree ("accountId");

CREATE INDEX "ix_media_stories_contentId" ON public.media_stories USING btree ("contentId");

CREATE INDEX "ix_messages_groupId" ON public.messages USING btree ("groupId");

CREATE INDEX "ix_post_hashtags_hashtagId" ON public.post_hashtags USING btree ("hashtagId");

CREATE INDEX "ix_post_hashtags_postId" ON public.post_hashtags USING btree ("postId");

CREATE INDEX ix_post_mentions_account ON public.post_mentions USING btree ("postId", "accountId") WHERE ("accountId" IS NOT NULL);

CREATE INDEX "ix_post_mentions_accountId" ON public.post_mentions USING btree ("accountId");

CREATE INDEX ix_post_mentions_handle ON public.post_mentions USING btree ("postId", handle) WHERE (handle IS NOT NULL);

CREATE INDEX ix_stub_tracker_created_at ON public.stub_tracker USING btree (created_at);

CREATE INDEX ix_stub_tracker_table_name ON public.stub_tracker USING btree (table_name);

CREATE INDEX "ix_subscription_plans_accountId" ON public.subscription_plans USING btree ("accountId");

CREATE INDEX "ix_subscription_plans_subscriptionTierId" ON public.subscription_plans USING btree ("subscriptionTierId");

CREATE INDEX "ix_subscription_promos_planId" ON public.subscription_promos USING btree ("planId");

CREATE INDEX "ix_subscriptions_accountId" ON public.subscriptions USING btree ("accountId");

CREATE INDEX "ix_subscriptions_endsAt" ON public.subscriptions USING btree ("endsAt");

CREATE INDEX ix_subscriptions_status ON public.subscriptions USING btree (status);

CREATE INDEX "ix_walls_accountId" ON public.walls USING btree ("accountId");

ALTER TABLE ONLY public.account_avatar
    ADD CONSTRAINT "account_avatar_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.account_avatar
    ADD CONSTRAINT "account_avatar_mediaId_fkey" FOREIGN KEY ("mediaId") REFERENCES public.media(id);

ALTER TABLE ONLY public.account_banner
    ADD CONSTRAINT "account_banner_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.account_banner
    ADD CONSTRAINT "account_banner_mediaId_fkey" FOREIGN KEY ("mediaId") REFERENCES public.media(id);

ALTER TABLE ONLY public.account_media_bundles
    ADD CONSTRAINT "account_media_bundles_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.account_media_bundles
    ADD CONSTRAINT "account_media_bundles_previewId_fkey" FOREIGN KEY ("previewId") REFERENCES public.media(id);

ALTER TABLE ONLY public.account_media
    ADD CONSTRAINT "account_media_previewId_fkey" FOREIGN KEY ("previewId") REFERENCES public.media(id);

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT "attachments_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES public.messages(id);

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT "attachments_postId_fkey" FOREIGN KEY ("postId") REFERENCES public.posts(id);

ALTER TABLE ONLY public.account_media
    ADD CONSTRAINT "fk_account_media_accountId_accounts" FOREIGN KEY ("accountId") REFERENCES public.accounts(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.account_media_bundle_media
    ADD CONSTRAINT fk_account_media_bundle_media_bundle FOREIGN KEY (bundle_id) REFERENCES public.account_media_bundles(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.account_media_bundle_media
    ADD CONSTRAINT fk_account_media_bundle_media_media FOREIGN KEY (media_id) REFERENCES public.account_media(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.account_media
    ADD CONSTRAINT "fk_account_media_mediaId_media" FOREIGN KEY ("mediaId") REFERENCES public.media(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.media_story_states
    ADD CONSTRAINT fk_media_story_states_account_id FOREIGN KEY ("accountId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT "fk_messages_recipientId" FOREIGN KEY ("recipientId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.post_hashtags
    ADD CONSTRAINT "fk_post_hashtags_hashtagId_hashtags" FOREIGN KEY ("hashtagId") REFERENCES public.hashtags(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.post_hashtags
    ADD CONSTRAINT "fk_post_hashtags_postId_posts" FOREIGN KEY ("postId") REFERENCES public.posts(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.follow_events
    ADD CONSTRAINT "follow_events_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.group_users
    ADD CONSTRAINT "group_users_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES public.groups(id);

ALTER TABLE ONLY public.groups
    ADD CONSTRAINT "groups_createdBy_fkey" FOREIGN KEY ("createdBy") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.media
    ADD CONSTRAINT "media_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.media_locations
    ADD CONSTRAINT "media_locations_mediaId_fkey" FOREIGN KEY ("mediaId") REFERENCES public.media(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.media_stories
    ADD CONSTRAINT "media_stories_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.media_stories
    ADD CONSTRAINT "media_stories_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES public.account_media(id);

ALTER TABLE ONLY public.media_variants
    ADD CONSTRAINT "media_variants_mediaId_fkey" FOREIGN KEY ("mediaId") REFERENCES public.media(id);

ALTER TABLE ONLY public.media_variants
    ADD CONSTRAINT "media_variants_variantId_fkey" FOREIGN KEY ("variantId") REFERENCES public.media(id);

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT "messages_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES public.groups(id);

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT "messages_senderId_fkey" FOREIGN KEY ("senderId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.monitor_state
    ADD CONSTRAINT "monitor_state_creatorId_fkey" FOREIGN KEY ("creatorId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.pinned_posts
    ADD CONSTRAINT "pinned_posts_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.pinned_posts
    ADD CONSTRAINT "pinned_posts_postId_fkey" FOREIGN KEY ("postId") REFERENCES public.posts(id);

ALTER TABLE ONLY public.post_mentions
    ADD CONSTRAINT "post_mentions_postId_fkey" FOREIGN KEY ("postId") REFERENCES public.posts(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.posts
    ADD CONSTRAINT "posts_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.subscription_plans
    ADD CONSTRAINT "subscription_plans_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.subscription_promos
    ADD CONSTRAINT "subscription_promos_planId_fkey" FOREIGN KEY ("planId") REFERENCES public.subscription_plans(id);

ALTER TABLE ONLY public.subscriptions
    ADD CONSTRAINT "subscriptions_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.timeline_stats
    ADD CONSTRAINT "timeline_stats_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES public.accounts(id);

ALTER TABLE ONLY public.wall_posts
    ADD CONSTRAINT "wall_posts_postId_fkey" FOREIGN KEY ("postId") REFERENCES public.posts(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.wall_posts
    ADD CONSTRAINT "wall_posts_wallId_fkey" FOREIGN KEY ("wallId") REFERENCES public.walls(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.walls
    ADD CONSTRAINT "walls_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES public.accounts(id);
"""#
}
