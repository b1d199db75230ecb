// GENERATED from rules/default.yaml and rules/fansly-stash-rules.schema.json: do not edit.
// EmbeddedRulesTests fails when this file is stale; regenerate with
//   REGENERATE_EMBEDDED_RULES=1 swift test --filter EmbeddedRulesTests
// The rules are compiled into the binary so that the installed tool finds them from any directory.

/// The shipped rule file and JSON Schema, embedded in the binary.
public enum EmbeddedRules {
    /// The text of `rules/default.yaml`.
    public static let defaultYAML = #"""
# yaml-language-server: $schema=./fansly-stash-rules.schema.json
#
# The rules fansly-stash uses when no --rules file is given. They reproduce what fansly-scraper's
# own Stash step does (titles, codes, URLs, dates, FansDB studio naming, hashtags as tags,
# `Trailer` on previews) and never touch an object Stash marks organized.
#
# To change a few things, write a file with `extends: default` and only the keys you change;
# see Docs/rules.md for the language and examples/rules-*/ for complete rule sets.
version: 1

settings:
  respectOrganized: true
  # Folder names the downloader gives creators (`use_folder_suffix` on, then off), relative to
  # the folder holding the metadata database unless `downloadRoot` says otherwise.
  creatorFolders:
    - "{{ account.username }}_fansly"
    - "{{ account.username }}"

urls:
  post: "https://fansly.com/post/{{ post.id }}"
  message: "https://fansly.com/messages/{{ message.groupId }}/{{ message.id }}"
  account: "https://fansly.com/{{ account.username }}"
  performer: "https://fansly.com/{{ account.username }}/posts"

# `Fansly (network)`, the parent of every creator studio (FansDB naming); created when missing.
network:
  studio:
    createMissing: true
    match: [name]
    fields:
      name: Fansly (network)
      urls: ["https://fansly.com"]

account:
  performer:
    createMissing: true
    match: [name, url]
    fields:
      name: "{{ account.displayName ?? account.username }}"
      # The username is always added as an alias.
      alias_list: ["{{ account.username }}"]
      details: "{{ account.about | stripHtml | trim }}"
      urls: ["{{ url.performer }}"]
  studio:
    createMissing: true
    match: [name, url]
    fields:
      name: "{{ account.username }} (Fansly)"
      parent: network
      urls: ["{{ url.account }}"]

post:
  gallery:
    createMissing: true
    match: [code, url]
    fields:
      title: &title
        firstOf:
          - "{{ item.content | firstLine | minLength:10 | cut:128:'...' }}"
          - "{{ account.username }} - {{ item.createdAt | date:'yyyy/MM/dd' }}"
      code: "{{ post.id }}"
      details: "{{ post.content }}"
      date: "{{ post.createdAt | date }}"
      urls: ["{{ url.post }}"]
      studio: creator
      performers: [creator, mentions]
      tags: [hashtags, extra]
      organized: true
  scene: &postMedia
    match: [file]
    fields:
      title: &mediaTitle
        firstOf:
          - "{{ item.content | firstLine | minLength:10 | cut:128:'...' }}"
          - "{{ account.username }} - {{ item.createdAt | date:'yyyy/MM/dd' }}"
        postProcess:
          - append: " - {{ position }}/{{ total }}"
            when: { total: { min: 2 } }
      code: "{{ media.mediaId }}"
      details: "{{ post.content }}"
      date: "{{ post.createdAt | date }}"
      urls: ["{{ url.post }}"]
      studio: creator
      performers: [creator, mentions]
      tags: [hashtags, extra]
  image: *postMedia

message:
  gallery:
    createMissing: true
    match: [code, url]
    fields:
      title: *title
      code: "{{ message.id }}"
      details: "{{ message.content }}"
      date: "{{ message.createdAt | date }}"
      urls: ["{{ url.message }}"]
      studio: creator
      performers: [creator]
      tags: [extra]
      organized: true
  scene: &messageMedia
    match: [file]
    fields:
      title: *mediaTitle
      code: "{{ media.mediaId }}"
      details: "{{ message.content }}"
      date: "{{ message.createdAt | date }}"
      urls: ["{{ url.message }}"]
      studio: creator
      performers: [creator]
      tags: [extra]
  image: *messageMedia

# Media no stored post or message shows (message bundles are never stored by the downloader):
# owner and date come from the media's own row.
media:
  scene: &looseMedia
    match: [file]
    fields:
      title: "{{ account.username }} - {{ item.createdAt | date:'yyyy/MM/dd' }}"
      code: "{{ media.mediaId }}"
      date: "{{ item.createdAt | date }}"
      studio: creator
      performers: [creator]
      tags: [extra]
  image: *looseMedia

wall:
  as: chapters
  chapter:
    fields:
      title: "{{ wall.name }}"
      image_index: 1

mention:
  performer:
    createMissing: true
    match: [name, url]
    fields:
      name: "{{ mention.name }}"
      urls: ["https://fansly.com/{{ mention.username }}/posts"]

tags:
  createMissing: true
  hashtags:
    name: "{{ hashtag.value }}"
  extra:
    - name: Trailer
      on: [scene, image]
      when: { media.isPreview: true }
"""#

    /// The text of `rules/fansly-stash-rules.schema.json`.
    public static let schemaJSON = #"""
{}
"""#
}
