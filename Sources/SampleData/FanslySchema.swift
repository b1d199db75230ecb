import Foundation
public import GRDB

/// The downloader's database schema: fansly-scraper v0.10.x at alembic head `06658bf47c03`,
/// statement for statement as `sqlite3 .schema` prints it. This text *is* the file format the
/// generator reproduces, so it is kept verbatim (including the spacing SQLite stores).
public enum FanslySchema {
    /// The alembic revision a database created by fansly-scraper v0.10.x records.
    public static let alembicRevision = "06658bf47c03"

    /// The schema as `sqlite3 .schema` prints it (statements separated by `;` and a newline).
    public static let ddl = """
        CREATE TABLE alembic_version (
        	version_num VARCHAR(32) NOT NULL, 
        	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
        );
        CREATE TABLE accounts (
        	id INTEGER NOT NULL, 
        	username VARCHAR NOT NULL, 
        	"displayName" VARCHAR, 
        	flags INTEGER, 
        	version INTEGER, 
        	about VARCHAR, 
        	location VARCHAR, 
        	following BOOLEAN, 
        	"profileAccess" BOOLEAN, "createdAt" DATETIME, subscribed BOOLEAN, stash_id INTEGER, 
        	PRIMARY KEY (id), 
        	UNIQUE (username)
        );
        CREATE TABLE posts (
        	id INTEGER NOT NULL, 
        	"accountId" INTEGER NOT NULL, 
        	content VARCHAR, 
        	"fypFlag" INTEGER, 
        	"inReplyTo" INTEGER, 
        	"inReplyToRoot" INTEGER, 
        	"createdAt" DATETIME, 
        	"expiresAt" DATETIME, stash_id INTEGER, 
        	PRIMARY KEY (id), 
        	FOREIGN KEY("accountId") REFERENCES accounts (id)
        );
        CREATE TABLE timeline_stats (
        	"accountId" INTEGER NOT NULL, 
        	"imageCount" INTEGER, 
        	"videoCount" INTEGER, 
        	"bundleCount" INTEGER, 
        	"bundleImageCount" INTEGER, 
        	"bundleVideoCount" INTEGER, 
        	"fetchedAt" DATETIME, 
        	PRIMARY KEY ("accountId"), 
        	FOREIGN KEY("accountId") REFERENCES accounts (id)
        );
        CREATE TABLE walls (
        	id INTEGER NOT NULL, 
        	"accountId" INTEGER NOT NULL, 
        	pos INTEGER, 
        	name VARCHAR, 
        	description VARCHAR, "createdAt" DATETIME, stash_id INTEGER, 
        	PRIMARY KEY (id), 
        	FOREIGN KEY("accountId") REFERENCES accounts (id)
        );
        CREATE TABLE account_avatar (
        	"accountId" INTEGER, 
        	"mediaId" INTEGER, 
        	FOREIGN KEY("accountId") REFERENCES accounts (id), 
        	FOREIGN KEY("mediaId") REFERENCES media (id), 
        	UNIQUE ("accountId", "mediaId")
        );
        CREATE TABLE account_banner (
        	"accountId" INTEGER, 
        	"mediaId" INTEGER, 
        	FOREIGN KEY("accountId") REFERENCES accounts (id), 
        	FOREIGN KEY("mediaId") REFERENCES media (id), 
        	UNIQUE ("accountId", "mediaId")
        );
        CREATE TABLE account_media_bundles (
        	id INTEGER NOT NULL, 
        	"accountId" INTEGER NOT NULL, 
        	"previewId" INTEGER, 
        	"createdAt" DATETIME NOT NULL, 
        	"deletedAt" DATETIME, 
        	deleted BOOLEAN NOT NULL, 
        	access BOOLEAN NOT NULL, 
        	purchased BOOLEAN NOT NULL, 
        	whitelisted BOOLEAN NOT NULL, stash_id INTEGER, 
        	PRIMARY KEY (id), 
        	FOREIGN KEY("accountId") REFERENCES accounts (id), 
        	FOREIGN KEY("previewId") REFERENCES media (id)
        );
        CREATE TABLE group_users (
        	"groupId" INTEGER NOT NULL, 
        	"accountId" INTEGER NOT NULL, 
        	PRIMARY KEY ("groupId", "accountId"), 
        	FOREIGN KEY("accountId") REFERENCES accounts (id), 
        	FOREIGN KEY("groupId") REFERENCES groups (id)
        );
        CREATE TABLE pinned_posts (
        	"postId" INTEGER NOT NULL, 
        	"accountId" INTEGER NOT NULL, 
        	pos INTEGER NOT NULL, 
        	"createdAt" DATETIME, 
        	PRIMARY KEY ("postId", "accountId"), 
        	FOREIGN KEY("accountId") REFERENCES accounts (id), 
        	FOREIGN KEY("postId") REFERENCES posts (id)
        );
        CREATE TABLE IF NOT EXISTS "messages" (
        	id INTEGER NOT NULL, 
        	"groupId" INTEGER, 
        	"senderId" INTEGER NOT NULL, 
        	"recipientId" INTEGER, 
        	content VARCHAR NOT NULL, 
        	"createdAt" DATETIME NOT NULL, 
        	"deletedAt" DATETIME, 
        	deleted BOOLEAN NOT NULL, stash_id INTEGER, 
        	PRIMARY KEY (id), 
        	FOREIGN KEY("groupId") REFERENCES groups (id), 
        	FOREIGN KEY("recipientId") REFERENCES accounts (id), 
        	FOREIGN KEY("senderId") REFERENCES accounts (id)
        );
        CREATE TABLE media_variants (
        	"mediaId" INTEGER NOT NULL, 
        	"variantId" INTEGER NOT NULL, 
        	PRIMARY KEY ("mediaId", "variantId"), 
        	FOREIGN KEY("mediaId") REFERENCES media (id), 
        	FOREIGN KEY("variantId") REFERENCES media (id), 
        	UNIQUE ("mediaId", "variantId")
        );
        CREATE TABLE IF NOT EXISTS "media_locations" (
        	"mediaId" INTEGER NOT NULL, 
        	"locationId" VARCHAR NOT NULL, 
        	location VARCHAR NOT NULL, 
        	PRIMARY KEY ("mediaId", "locationId"), 
        	CONSTRAINT fk_media_locations_media_id_new FOREIGN KEY("mediaId") REFERENCES media (id)
        );
        CREATE TABLE IF NOT EXISTS "wall_posts" (
        	"wallId" INTEGER NOT NULL, 
        	"postId" INTEGER NOT NULL, 
        	PRIMARY KEY ("wallId", "postId"), 
        	CONSTRAINT fk_wall_posts_wall_id_new FOREIGN KEY("wallId") REFERENCES walls (id), 
        	CONSTRAINT fk_wall_posts_post_id_new FOREIGN KEY("postId") REFERENCES posts (id)
        );
        CREATE TABLE media_story_states (
        	"accountId" INTEGER NOT NULL, 
        	status INTEGER, 
        	"storyCount" INTEGER, 
        	version INTEGER, 
        	"createdAt" DATETIME, 
        	"updatedAt" DATETIME, 
        	"hasActiveStories" BOOLEAN, 
        	PRIMARY KEY ("accountId"), 
        	CONSTRAINT fk_media_story_states_account_id FOREIGN KEY("accountId") REFERENCES accounts (id)
        );
        CREATE TABLE IF NOT EXISTS "account_media_bundle_media" (
        	bundle_id INTEGER NOT NULL, 
        	media_id INTEGER NOT NULL, 
        	pos INTEGER NOT NULL, 
        	PRIMARY KEY (bundle_id, media_id), 
        	CONSTRAINT fk_account_media_bundle_media_bundle FOREIGN KEY(bundle_id) REFERENCES account_media_bundles (id) ON DELETE CASCADE, 
        	CONSTRAINT fk_account_media_bundle_media_media FOREIGN KEY(media_id) REFERENCES account_media (id) ON DELETE CASCADE
        );
        CREATE INDEX "ix_walls_accountId" ON walls ("accountId");
        CREATE TABLE IF NOT EXISTS "media" (
        	id INTEGER NOT NULL, 
        	"accountId" INTEGER NOT NULL, 
        	location VARCHAR, 
        	mimetype VARCHAR, 
        	height INTEGER, 
        	width INTEGER, 
        	type INTEGER, 
        	status INTEGER, 
        	"createdAt" DATETIME, 
        	"updatedAt" DATETIME, 
        	flags INTEGER, 
        	meta_info VARCHAR, 
        	duration FLOAT, 
        	local_filename VARCHAR, 
        	content_hash VARCHAR, 
        	is_downloaded INTEGER DEFAULT 0 NOT NULL, stash_id INTEGER, 
        	PRIMARY KEY (id), 
        	FOREIGN KEY("accountId") REFERENCES accounts (id)
        );
        CREATE INDEX ix_media_content_hash ON media (content_hash);
        CREATE TABLE IF NOT EXISTS "account_media" (
        	id INTEGER NOT NULL, 
        	"accountId" INTEGER NOT NULL, 
        	"mediaId" INTEGER NOT NULL, 
        	"previewId" INTEGER, 
        	"createdAt" DATETIME NOT NULL, 
        	"deletedAt" DATETIME, 
        	deleted BOOLEAN NOT NULL, 
        	access BOOLEAN NOT NULL, stash_id INTEGER, 
        	PRIMARY KEY (id), 
        	CONSTRAINT "fk_account_media_accountId_accounts" FOREIGN KEY("accountId") REFERENCES accounts (id) ON DELETE CASCADE, 
        	CONSTRAINT "fk_account_media_mediaId_media" FOREIGN KEY("mediaId") REFERENCES media (id) ON DELETE CASCADE, 
        	CONSTRAINT "fk_account_media_previewId_media" FOREIGN KEY("previewId") REFERENCES media (id)
        );
        CREATE INDEX "ix_account_media_accountId" ON account_media ("accountId");
        CREATE TABLE IF NOT EXISTS "groups" (
        	id INTEGER NOT NULL, 
        	"createdBy" INTEGER NOT NULL, 
        	"lastMessageId" INTEGER, 
        	PRIMARY KEY (id), 
        	CONSTRAINT "fk_groups_createdBy_accounts" FOREIGN KEY("createdBy") REFERENCES accounts (id)
        );
        CREATE INDEX "ix_messages_groupId" ON messages ("groupId");
        CREATE TABLE hashtags (
        	id INTEGER NOT NULL, 
        	value VARCHAR NOT NULL, 
        	stash_id INTEGER, 
        	CONSTRAINT pk_hashtags PRIMARY KEY (id), 
        	CONSTRAINT uq_hashtags_value UNIQUE (value)
        );
        CREATE TABLE IF NOT EXISTS "post_hashtags" (
        	"postId" INTEGER NOT NULL, 
        	"hashtagId" INTEGER NOT NULL, 
        	PRIMARY KEY ("postId", "hashtagId"), 
        	CONSTRAINT pk_post_hashtags UNIQUE ("postId", "hashtagId"), 
        	FOREIGN KEY("hashtagId") REFERENCES hashtags (id) ON DELETE CASCADE, 
        	FOREIGN KEY("postId") REFERENCES posts (id) ON DELETE CASCADE
        );
        CREATE INDEX "ix_post_hashtags_postId" ON post_hashtags ("postId");
        CREATE INDEX "ix_post_hashtags_hashtagId" ON post_hashtags ("hashtagId");
        CREATE UNIQUE INDEX ix_hashtags_value ON hashtags (value COLLATE NOCASE);
        CREATE TABLE IF NOT EXISTS "post_mentions" (
        	"postId" INTEGER NOT NULL, 
        	"accountId" INTEGER, 
        	handle VARCHAR NOT NULL, 
        	PRIMARY KEY ("postId", handle), 
        	FOREIGN KEY("accountId") REFERENCES accounts (id), 
        	FOREIGN KEY("postId") REFERENCES posts (id), 
        	CONSTRAINT uix_post_mentions_account UNIQUE ("postId", "accountId"), 
        	CONSTRAINT uix_post_mentions_handle UNIQUE ("postId", handle)
        );
        CREATE TABLE stories (
        	id INTEGER NOT NULL, 
        	"authorId" INTEGER NOT NULL, 
        	title VARCHAR, 
        	description VARCHAR, 
        	content VARCHAR NOT NULL, 
        	"createdAt" DATETIME NOT NULL, 
        	"updatedAt" DATETIME, 
        	PRIMARY KEY (id), 
        	FOREIGN KEY("authorId") REFERENCES accounts (id) ON DELETE CASCADE ON UPDATE CASCADE
        );
        CREATE TABLE IF NOT EXISTS "attachments" (
        	id INTEGER NOT NULL, 
        	"postId" INTEGER, 
        	"messageId" INTEGER, 
        	"contentId" INTEGER NOT NULL, 
        	pos INTEGER NOT NULL, 
        	"contentType" VARCHAR NOT NULL, 
        	PRIMARY KEY (id), 
        	CONSTRAINT check_post_or_message_exclusivity CHECK ((postId IS NULL OR messageId IS NULL)), 
        	CONSTRAINT ck_contenttype_enum CHECK (contentType IN ('ACCOUNT_MEDIA', 'ACCOUNT_MEDIA_BUNDLE', 'POLL', 'STORY', 'AGGREGATED_POSTS', 'TIP_GOALS')), 
        	FOREIGN KEY("messageId") REFERENCES messages (id), 
        	FOREIGN KEY("postId") REFERENCES posts (id)
        );
        CREATE INDEX idx_wall_account_created ON walls(accountId, createdAt);
        CREATE INDEX idx_wall_posts_post ON wall_posts(postId);
        CREATE INDEX idx_wall_posts_wall_post ON wall_posts(wallId, postId);
        CREATE INDEX ix_hashtags_value_lower ON hashtags(lower(value));
        CREATE INDEX ix_post_mentions_account ON post_mentions(postId, accountId) WHERE accountId IS NOT NULL;
        CREATE INDEX ix_post_mentions_handle ON post_mentions(postId, handle) WHERE handle IS NOT NULL;
        """

    /// The schema's statements in creation order, without their trailing semicolons.
    public static var statements: [String] {
        ddl.components(separatedBy: ";\n").map { statement in
            var statement = statement
            while statement.hasSuffix(";") || statement.hasSuffix("\n") { statement.removeLast() }
            return statement
        }.filter { !$0.isEmpty }
    }

    /// Creates every table and index of the schema in `db` and records the alembic revision,
    /// leaving the tables empty: the starting point of a database the downloader would create.
    public static func create(in db: Database, recordingRevision revision: String? = alembicRevision) throws {
        for statement in statements {
            try db.execute(sql: statement)
        }
        if let revision {
            try db.execute(sql: "INSERT INTO alembic_version (version_num) VALUES (?)", arguments: [revision])
        }
    }
}
