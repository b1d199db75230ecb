// GENERATED from rules/default.yaml and rules/fansly-stash-rules.schema.json: do not edit.
// SchemaAndEmbeddingTests fails when this file is stale; regenerate with
//   REGENERATE_EMBEDDED_RULES=1 swift test --filter SchemaAndEmbeddingTests
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
  # What titles are made from (`item.caption`): the first line of the caption without #hashtags and
  # @handles, which FansDB keeps out of titles (they are tags and performers already). The
  # reference tool kept them: `caption: "{{ item.content | firstLine }}"` does the same.
  caption: "{{ item.content | firstLine | stripHashtags | stripMentions }}"
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
      # The caption (settings.caption), 10 to 128 characters, else `<username> - <date>`.
      title: &title
        firstOf:
          - "{{ item.caption | minLength:10 | cut:128:'...' }}"
          - "{{ account.username }} - {{ item.createdAt | date:'yyyy/MM/dd' }}"
      code: "{{ post.id }}"
      details: "{{ post.content }}"
      date: "{{ post.createdAt | date }}"
      urls: ["{{ url.post }}"]
      studio: creator
      performers: [creator, mentions]
      tags: [hashtags, extra]
      organized: true
    # Posts with videos but no pictures get a gallery too: it groups their scenes.
    withoutImages: true
  image:
    match: [file]
    fields: &postMediaFields
      title: &mediaTitle
        firstOf:
          - "{{ item.caption | minLength:10 | cut:128:'...' }}"
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
  scene:
    match: [file]
    fields:
      <<: *postMediaFields
      # The post's gallery (a repost's gallery also groups the videos it quotes).
      galleries: [item]

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
    withoutImages: true
  image:
    match: [file]
    fields: &messageMediaFields
      title: *mediaTitle
      code: "{{ media.mediaId }}"
      details: "{{ message.content }}"
      date: "{{ message.createdAt | date }}"
      urls: ["{{ url.message }}"]
      studio: creator
      performers: [creator]
      tags: [extra]
  scene:
    match: [file]
    fields:
      <<: *messageMediaFields
      galleries: [item]

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
  # A handle with no account row (a typo, a deleted or never-seen account) only links a performer
  # Stash already has; `createUnknown: true` creates those too.
  createUnknown: false
  performer:
    createMissing: true
    match: [name, url]
    fields:
      name: "{{ mention.name }}"
      # The bio, when the database has the account (empty, so not sent, for a bare handle).
      details: "{{ mention.about | stripHtml | trim }}"
      urls: ["https://fansly.com/{{ mention.username }}/posts"]

tags:
  createMissing: true
  hashtags:
    name: "{{ hashtag.value }}"
  extra:
    - name: Trailer
      for: [scene, image]
      when: { media.isPreview: true }

"""#

    /// The text of `rules/fansly-stash-rules.schema.json`.
    public static let schemaJSON = #"""
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://github.com/fansly-stash/fansly-stash/rules/fansly-stash-rules.schema.json",
  "title": "fansly-stash mapping rules",
  "description": "Rules that map a Fansly downloader's metadata database into Stash. Reference: Docs/rules.md.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "version": {
      "const": 1
    },
    "extends": {
      "const": "default",
      "description": "start from the built-in rules"
    },
    "settings": {
      "type": [
        "object",
        "null"
      ],
      "additionalProperties": false,
      "properties": {
        "respectOrganized": {
          "type": "boolean"
        },
        "downloadRoot": {
          "type": "string"
        },
        "pathMap": {
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": [
              "from",
              "to"
            ],
            "properties": {
              "from": {
                "type": "string"
              },
              "to": {
                "type": "string"
              }
            }
          }
        },
        "creatorFolders": {
          "type": "array",
          "items": {
            "$ref": "#/$defs/template"
          }
        },
        "caption": {
          "type": "string",
          "description": "a template: what item.caption reads (default: {{ item.content | firstLine | stripHashtags | stripMentions }})"
        }
      }
    },
    "urls": {
      "type": [
        "object",
        "null"
      ],
      "additionalProperties": false,
      "properties": {
        "post": {
          "$ref": "#/$defs/template"
        },
        "message": {
          "$ref": "#/$defs/template"
        },
        "account": {
          "$ref": "#/$defs/template"
        },
        "performer": {
          "$ref": "#/$defs/template"
        },
        "bundle": {
          "$ref": "#/$defs/template"
        }
      }
    },
    "network": {
      "type": [
        "object",
        "null"
      ],
      "additionalProperties": false,
      "properties": {
        "studio": {
          "$ref": "#/$defs/networkStudio"
        }
      }
    },
    "account": {
      "type": [
        "object",
        "null"
      ],
      "additionalProperties": false,
      "properties": {
        "when": {
          "$ref": "#/$defs/condition"
        },
        "performer": {
          "$ref": "#/$defs/accountPerformer"
        },
        "studio": {
          "$ref": "#/$defs/studio"
        }
      }
    },
    "post": {
      "type": [
        "object",
        "null"
      ],
      "additionalProperties": false,
      "properties": {
        "when": {
          "$ref": "#/$defs/condition"
        },
        "gallery": {
          "$ref": "#/$defs/gallery"
        },
        "scene": {
          "$ref": "#/$defs/scene"
        },
        "image": {
          "$ref": "#/$defs/image"
        }
      }
    },
    "message": {
      "type": [
        "object",
        "null"
      ],
      "additionalProperties": false,
      "properties": {
        "when": {
          "$ref": "#/$defs/condition"
        },
        "gallery": {
          "$ref": "#/$defs/gallery"
        },
        "scene": {
          "$ref": "#/$defs/scene"
        },
        "image": {
          "$ref": "#/$defs/image"
        }
      }
    },
    "bundle": {
      "type": [
        "object",
        "null"
      ],
      "additionalProperties": false,
      "properties": {
        "when": {
          "$ref": "#/$defs/condition"
        },
        "gallery": {
          "$ref": "#/$defs/gallery"
        }
      }
    },
    "media": {
      "type": [
        "object",
        "null"
      ],
      "additionalProperties": false,
      "properties": {
        "when": {
          "$ref": "#/$defs/condition"
        },
        "scene": {
          "$ref": "#/$defs/scene"
        },
        "image": {
          "$ref": "#/$defs/image"
        }
      }
    },
    "wall": {
      "type": [
        "object",
        "null"
      ],
      "additionalProperties": false,
      "properties": {
        "as": {
          "enum": [
            "chapters",
            "galleries",
            "none"
          ]
        },
        "when": {
          "$ref": "#/$defs/condition"
        },
        "chapter": {
          "$ref": "#/$defs/chapter"
        },
        "gallery": {
          "$ref": "#/$defs/gallery"
        }
      }
    },
    "mention": {
      "type": [
        "object",
        "null"
      ],
      "additionalProperties": false,
      "properties": {
        "when": {
          "$ref": "#/$defs/condition"
        },
        "createUnknown": {
          "type": "boolean",
          "description": "Create performers for handle-only mentions (no account row in the database) too; default false: only link a performer Stash already has."
        },
        "performer": {
          "$ref": "#/$defs/performer"
        }
      }
    },
    "tags": {
      "type": [
        "object",
        "null"
      ],
      "additionalProperties": false,
      "properties": {
        "createMissing": {
          "type": "boolean"
        },
        "match": {
          "oneOf": [
            {
              "const": "name"
            },
            {
              "type": "array",
              "items": {
                "const": "name"
              }
            }
          ]
        },
        "strategy": {
          "$ref": "#/$defs/strategy"
        },
        "hashtags": {
          "oneOf": [
            {
              "type": "boolean"
            },
            {
              "type": [
                "object",
                "null"
              ],
              "additionalProperties": false,
              "properties": {
                "enabled": {
                  "type": "boolean"
                },
                "when": {
                  "$ref": "#/$defs/condition"
                },
                "name": {
                  "$ref": "#/$defs/template"
                },
                "keepHashtagAlias": {
                  "type": "boolean"
                }
              }
            }
          ]
        },
        "aliases": {
          "type": "object",
          "additionalProperties": {
            "oneOf": [
              {
                "type": "string"
              },
              {
                "type": "array",
                "items": {
                  "type": "string"
                }
              }
            ]
          }
        },
        "ignore": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "extra": {
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": [
              "name"
            ],
            "properties": {
              "name": {
                "type": "string",
                "description": "the tag's name; a template, e.g. {{ account.username }} for a tag per creator"
              },
              "for": {
                "oneOf": [
                  {
                    "enum": [
                      "gallery",
                      "scene",
                      "image"
                    ]
                  },
                  {
                    "type": "array",
                    "items": {
                      "enum": [
                        "gallery",
                        "scene",
                        "image"
                      ]
                    }
                  }
                ]
              },
              "when": {
                "$ref": "#/$defs/condition"
              },
              "enabled": {
                "type": "boolean",
                "description": "false removes the entry of this name that an extended file (extends: default) or an earlier --rules file gave"
              }
            }
          },
          "description": "tags added by condition; lists from several files combine by name"
        },
        "parents": {
          "type": "object",
          "additionalProperties": {
            "oneOf": [
              {
                "type": "string"
              },
              {
                "type": "array",
                "items": {
                  "type": "string"
                }
              }
            ]
          }
        },
        "words": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "custom_fields": {
          "description": "Stash custom fields set on every tag the rules produce (Stash v0.31+): name → text (templates without record variables).",
          "type": "object",
          "propertyNames": {
            "pattern": "^[^.]+$"
          },
          "additionalProperties": {
            "$ref": "#/$defs/template"
          }
        }
      }
    }
  },
  "$defs": {
    "template": {
      "type": "string",
      "description": "A template: text with {{ expression }} holes, e.g. \"{{ post.content | firstLine | truncate:64 }}\"."
    },
    "templateList": {
      "oneOf": [
        {
          "$ref": "#/$defs/template"
        },
        {
          "type": "array",
          "items": {
            "$ref": "#/$defs/template"
          }
        }
      ]
    },
    "predicate": {
      "oneOf": [
        {
          "type": [
            "string",
            "number",
            "boolean",
            "null"
          ],
          "description": "equals (case-insensitive)"
        },
        {
          "type": "array",
          "items": {
            "type": [
              "string",
              "number",
              "boolean"
            ]
          },
          "description": "one of"
        },
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "equals": {
              "type": [
                "string",
                "number",
                "boolean"
              ]
            },
            "not": {
              "type": [
                "string",
                "number",
                "boolean"
              ]
            },
            "in": {
              "type": "array",
              "items": {
                "type": [
                  "string",
                  "number",
                  "boolean"
                ]
              }
            },
            "notIn": {
              "type": "array",
              "items": {
                "type": [
                  "string",
                  "number",
                  "boolean"
                ]
              }
            },
            "matches": {
              "type": "string",
              "description": "regular expression (ICU)"
            },
            "notMatches": {
              "type": "string",
              "description": "regular expression (ICU)"
            },
            "min": {
              "type": "number"
            },
            "max": {
              "type": "number"
            },
            "after": {
              "type": "string",
              "description": "date, inclusive (2024-01-31)"
            },
            "before": {
              "type": "string",
              "description": "date, exclusive"
            },
            "empty": {
              "type": "boolean"
            },
            "contains": {
              "type": [
                "string",
                "number"
              ]
            }
          }
        }
      ]
    },
    "condition": {
      "type": [
        "object",
        "null"
      ],
      "description": "variable: test; every test must hold",
      "additionalProperties": {
        "$ref": "#/$defs/predicate"
      }
    },
    "strategy": {
      "enum": [
        "merge",
        "overwrite",
        "ignore"
      ],
      "description": "merge: set when empty, add to lists; overwrite: replace; ignore: never touch"
    },
    "postProcess": {
      "type": "array",
      "items": {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 2,
        "additionalProperties": false,
        "properties": {
          "replace": {
            "type": "array",
            "items": {
              "type": "object",
              "additionalProperties": false,
              "required": [
                "regex"
              ],
              "properties": {
                "regex": {
                  "type": "string"
                },
                "with": {
                  "type": "string"
                }
              }
            }
          },
          "map": {
            "type": "object",
            "additionalProperties": {
              "type": [
                "string",
                "number",
                "boolean",
                "null"
              ]
            }
          },
          "parseDate": {
            "type": "string"
          },
          "formatDate": {
            "type": "string"
          },
          "append": {
            "$ref": "#/$defs/template"
          },
          "prepend": {
            "$ref": "#/$defs/template"
          },
          "when": {
            "$ref": "#/$defs/condition"
          }
        }
      }
    },
    "textField": {
      "oneOf": [
        {
          "$ref": "#/$defs/template"
        },
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "value": {
              "$ref": "#/$defs/template"
            },
            "firstOf": {
              "type": "array",
              "items": {
                "$ref": "#/$defs/template"
              }
            },
            "postProcess": {
              "$ref": "#/$defs/postProcess"
            },
            "strategy": {
              "$ref": "#/$defs/strategy"
            },
            "when": {
              "$ref": "#/$defs/condition"
            }
          }
        }
      ]
    },
    "listField": {
      "oneOf": [
        {
          "$ref": "#/$defs/templateList"
        },
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "value": {
              "$ref": "#/$defs/templateList"
            },
            "firstOf": {
              "type": "array",
              "items": {
                "$ref": "#/$defs/template"
              }
            },
            "postProcess": {
              "$ref": "#/$defs/postProcess"
            },
            "strategy": {
              "$ref": "#/$defs/strategy"
            },
            "when": {
              "$ref": "#/$defs/condition"
            }
          }
        }
      ]
    },
    "boolField": {
      "oneOf": [
        {
          "type": [
            "boolean",
            "string"
          ]
        },
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "value": {
              "type": [
                "boolean",
                "string"
              ]
            },
            "firstOf": {
              "type": "array",
              "items": {
                "$ref": "#/$defs/template"
              }
            },
            "postProcess": {
              "$ref": "#/$defs/postProcess"
            },
            "strategy": {
              "$ref": "#/$defs/strategy"
            },
            "when": {
              "$ref": "#/$defs/condition"
            }
          }
        }
      ]
    },
    "intField": {
      "oneOf": [
        {
          "type": [
            "integer",
            "string"
          ]
        },
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "value": {
              "type": [
                "integer",
                "string"
              ]
            },
            "firstOf": {
              "type": "array",
              "items": {
                "$ref": "#/$defs/template"
              }
            },
            "postProcess": {
              "$ref": "#/$defs/postProcess"
            },
            "strategy": {
              "$ref": "#/$defs/strategy"
            },
            "when": {
              "$ref": "#/$defs/condition"
            }
          }
        }
      ]
    },
    "galleryFields": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "title": {
          "$ref": "#/$defs/textField"
        },
        "code": {
          "$ref": "#/$defs/textField"
        },
        "details": {
          "$ref": "#/$defs/textField"
        },
        "date": {
          "$ref": "#/$defs/textField"
        },
        "urls": {
          "$ref": "#/$defs/listField"
        },
        "studio": {
          "oneOf": [
            {
              "enum": [
                "creator",
                "network",
                "none"
              ]
            },
            {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "value": {
                  "enum": [
                    "creator",
                    "network",
                    "none"
                  ]
                },
                "firstOf": {
                  "type": "array",
                  "items": {
                    "$ref": "#/$defs/template"
                  }
                },
                "postProcess": {
                  "$ref": "#/$defs/postProcess"
                },
                "strategy": {
                  "$ref": "#/$defs/strategy"
                },
                "when": {
                  "$ref": "#/$defs/condition"
                }
              }
            }
          ]
        },
        "performers": {
          "oneOf": [
            {
              "oneOf": [
                {
                  "enum": [
                    "creator",
                    "mentions",
                    "none"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "creator",
                      "mentions",
                      "none"
                    ]
                  }
                }
              ]
            },
            {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "value": {
                  "oneOf": [
                    {
                      "enum": [
                        "creator",
                        "mentions",
                        "none"
                      ]
                    },
                    {
                      "type": "array",
                      "items": {
                        "enum": [
                          "creator",
                          "mentions",
                          "none"
                        ]
                      }
                    }
                  ]
                },
                "firstOf": {
                  "type": "array",
                  "items": {
                    "$ref": "#/$defs/template"
                  }
                },
                "postProcess": {
                  "$ref": "#/$defs/postProcess"
                },
                "strategy": {
                  "$ref": "#/$defs/strategy"
                },
                "when": {
                  "$ref": "#/$defs/condition"
                }
              }
            }
          ]
        },
        "tags": {
          "oneOf": [
            {
              "oneOf": [
                {
                  "enum": [
                    "hashtags",
                    "extra",
                    "none"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "hashtags",
                      "extra",
                      "none"
                    ]
                  }
                }
              ]
            },
            {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "value": {
                  "oneOf": [
                    {
                      "enum": [
                        "hashtags",
                        "extra",
                        "none"
                      ]
                    },
                    {
                      "type": "array",
                      "items": {
                        "enum": [
                          "hashtags",
                          "extra",
                          "none"
                        ]
                      }
                    }
                  ]
                },
                "firstOf": {
                  "type": "array",
                  "items": {
                    "$ref": "#/$defs/template"
                  }
                },
                "postProcess": {
                  "$ref": "#/$defs/postProcess"
                },
                "strategy": {
                  "$ref": "#/$defs/strategy"
                },
                "when": {
                  "$ref": "#/$defs/condition"
                }
              }
            }
          ]
        },
        "organized": {
          "$ref": "#/$defs/boolField"
        },
        "photographer": {
          "$ref": "#/$defs/textField"
        }
      }
    },
    "sceneFields": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "title": {
          "$ref": "#/$defs/textField"
        },
        "code": {
          "$ref": "#/$defs/textField"
        },
        "details": {
          "$ref": "#/$defs/textField"
        },
        "date": {
          "$ref": "#/$defs/textField"
        },
        "urls": {
          "$ref": "#/$defs/listField"
        },
        "studio": {
          "oneOf": [
            {
              "enum": [
                "creator",
                "network",
                "none"
              ]
            },
            {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "value": {
                  "enum": [
                    "creator",
                    "network",
                    "none"
                  ]
                },
                "firstOf": {
                  "type": "array",
                  "items": {
                    "$ref": "#/$defs/template"
                  }
                },
                "postProcess": {
                  "$ref": "#/$defs/postProcess"
                },
                "strategy": {
                  "$ref": "#/$defs/strategy"
                },
                "when": {
                  "$ref": "#/$defs/condition"
                }
              }
            }
          ]
        },
        "performers": {
          "oneOf": [
            {
              "oneOf": [
                {
                  "enum": [
                    "creator",
                    "mentions",
                    "none"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "creator",
                      "mentions",
                      "none"
                    ]
                  }
                }
              ]
            },
            {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "value": {
                  "oneOf": [
                    {
                      "enum": [
                        "creator",
                        "mentions",
                        "none"
                      ]
                    },
                    {
                      "type": "array",
                      "items": {
                        "enum": [
                          "creator",
                          "mentions",
                          "none"
                        ]
                      }
                    }
                  ]
                },
                "firstOf": {
                  "type": "array",
                  "items": {
                    "$ref": "#/$defs/template"
                  }
                },
                "postProcess": {
                  "$ref": "#/$defs/postProcess"
                },
                "strategy": {
                  "$ref": "#/$defs/strategy"
                },
                "when": {
                  "$ref": "#/$defs/condition"
                }
              }
            }
          ]
        },
        "tags": {
          "oneOf": [
            {
              "oneOf": [
                {
                  "enum": [
                    "hashtags",
                    "extra",
                    "none"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "hashtags",
                      "extra",
                      "none"
                    ]
                  }
                }
              ]
            },
            {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "value": {
                  "oneOf": [
                    {
                      "enum": [
                        "hashtags",
                        "extra",
                        "none"
                      ]
                    },
                    {
                      "type": "array",
                      "items": {
                        "enum": [
                          "hashtags",
                          "extra",
                          "none"
                        ]
                      }
                    }
                  ]
                },
                "firstOf": {
                  "type": "array",
                  "items": {
                    "$ref": "#/$defs/template"
                  }
                },
                "postProcess": {
                  "$ref": "#/$defs/postProcess"
                },
                "strategy": {
                  "$ref": "#/$defs/strategy"
                },
                "when": {
                  "$ref": "#/$defs/condition"
                }
              }
            }
          ]
        },
        "organized": {
          "$ref": "#/$defs/boolField"
        },
        "director": {
          "$ref": "#/$defs/textField"
        },
        "galleries": {
          "oneOf": [
            {
              "oneOf": [
                {
                  "enum": [
                    "item",
                    "none"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "item",
                      "none"
                    ]
                  }
                }
              ]
            },
            {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "value": {
                  "oneOf": [
                    {
                      "enum": [
                        "item",
                        "none"
                      ]
                    },
                    {
                      "type": "array",
                      "items": {
                        "enum": [
                          "item",
                          "none"
                        ]
                      }
                    }
                  ]
                },
                "firstOf": {
                  "type": "array",
                  "items": {
                    "$ref": "#/$defs/template"
                  }
                },
                "postProcess": {
                  "$ref": "#/$defs/postProcess"
                },
                "strategy": {
                  "$ref": "#/$defs/strategy"
                },
                "when": {
                  "$ref": "#/$defs/condition"
                }
              }
            }
          ],
          "description": "item: the gallery of the post or message the scene comes from (Stash's gallery_ids)"
        }
      }
    },
    "imageFields": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "title": {
          "$ref": "#/$defs/textField"
        },
        "code": {
          "$ref": "#/$defs/textField"
        },
        "details": {
          "$ref": "#/$defs/textField"
        },
        "date": {
          "$ref": "#/$defs/textField"
        },
        "urls": {
          "$ref": "#/$defs/listField"
        },
        "studio": {
          "oneOf": [
            {
              "enum": [
                "creator",
                "network",
                "none"
              ]
            },
            {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "value": {
                  "enum": [
                    "creator",
                    "network",
                    "none"
                  ]
                },
                "firstOf": {
                  "type": "array",
                  "items": {
                    "$ref": "#/$defs/template"
                  }
                },
                "postProcess": {
                  "$ref": "#/$defs/postProcess"
                },
                "strategy": {
                  "$ref": "#/$defs/strategy"
                },
                "when": {
                  "$ref": "#/$defs/condition"
                }
              }
            }
          ]
        },
        "performers": {
          "oneOf": [
            {
              "oneOf": [
                {
                  "enum": [
                    "creator",
                    "mentions",
                    "none"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "creator",
                      "mentions",
                      "none"
                    ]
                  }
                }
              ]
            },
            {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "value": {
                  "oneOf": [
                    {
                      "enum": [
                        "creator",
                        "mentions",
                        "none"
                      ]
                    },
                    {
                      "type": "array",
                      "items": {
                        "enum": [
                          "creator",
                          "mentions",
                          "none"
                        ]
                      }
                    }
                  ]
                },
                "firstOf": {
                  "type": "array",
                  "items": {
                    "$ref": "#/$defs/template"
                  }
                },
                "postProcess": {
                  "$ref": "#/$defs/postProcess"
                },
                "strategy": {
                  "$ref": "#/$defs/strategy"
                },
                "when": {
                  "$ref": "#/$defs/condition"
                }
              }
            }
          ]
        },
        "tags": {
          "oneOf": [
            {
              "oneOf": [
                {
                  "enum": [
                    "hashtags",
                    "extra",
                    "none"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "hashtags",
                      "extra",
                      "none"
                    ]
                  }
                }
              ]
            },
            {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "value": {
                  "oneOf": [
                    {
                      "enum": [
                        "hashtags",
                        "extra",
                        "none"
                      ]
                    },
                    {
                      "type": "array",
                      "items": {
                        "enum": [
                          "hashtags",
                          "extra",
                          "none"
                        ]
                      }
                    }
                  ]
                },
                "firstOf": {
                  "type": "array",
                  "items": {
                    "$ref": "#/$defs/template"
                  }
                },
                "postProcess": {
                  "$ref": "#/$defs/postProcess"
                },
                "strategy": {
                  "$ref": "#/$defs/strategy"
                },
                "when": {
                  "$ref": "#/$defs/condition"
                }
              }
            }
          ]
        },
        "organized": {
          "$ref": "#/$defs/boolField"
        },
        "photographer": {
          "$ref": "#/$defs/textField"
        }
      }
    },
    "performerFields": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "name": {
          "$ref": "#/$defs/textField"
        },
        "disambiguation": {
          "$ref": "#/$defs/textField"
        },
        "alias_list": {
          "$ref": "#/$defs/listField"
        },
        "details": {
          "$ref": "#/$defs/textField"
        },
        "country": {
          "$ref": "#/$defs/textField"
        },
        "image": {
          "$ref": "#/$defs/textField"
        },
        "urls": {
          "$ref": "#/$defs/listField"
        }
      }
    },
    "studioFields": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "name": {
          "$ref": "#/$defs/textField"
        },
        "urls": {
          "$ref": "#/$defs/listField"
        },
        "aliases": {
          "$ref": "#/$defs/listField"
        },
        "details": {
          "$ref": "#/$defs/textField"
        },
        "image": {
          "$ref": "#/$defs/textField"
        },
        "parent": {
          "oneOf": [
            {
              "enum": [
                "network",
                "none"
              ]
            },
            {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "value": {
                  "enum": [
                    "network",
                    "none"
                  ]
                },
                "firstOf": {
                  "type": "array",
                  "items": {
                    "$ref": "#/$defs/template"
                  }
                },
                "postProcess": {
                  "$ref": "#/$defs/postProcess"
                },
                "strategy": {
                  "$ref": "#/$defs/strategy"
                },
                "when": {
                  "$ref": "#/$defs/condition"
                }
              }
            }
          ]
        }
      }
    },
    "networkFields": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "name": {
          "$ref": "#/$defs/textField"
        },
        "urls": {
          "$ref": "#/$defs/listField"
        },
        "aliases": {
          "$ref": "#/$defs/listField"
        },
        "details": {
          "$ref": "#/$defs/textField"
        },
        "image": {
          "$ref": "#/$defs/textField"
        }
      }
    },
    "chapterFields": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "title": {
          "$ref": "#/$defs/textField"
        },
        "image_index": {
          "$ref": "#/$defs/intField"
        }
      }
    },
    "gallery": {
      "oneOf": [
        {
          "type": "boolean"
        },
        {
          "type": [
            "object",
            "null"
          ],
          "additionalProperties": false,
          "properties": {
            "enabled": {
              "type": "boolean"
            },
            "when": {
              "$ref": "#/$defs/condition"
            },
            "createMissing": {
              "type": "boolean"
            },
            "respectOrganized": {
              "type": "boolean"
            },
            "match": {
              "oneOf": [
                {
                  "enum": [
                    "code",
                    "url",
                    "stashId"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "code",
                      "url",
                      "stashId"
                    ]
                  }
                }
              ]
            },
            "strategy": {
              "$ref": "#/$defs/strategy"
            },
            "fields": {
              "$ref": "#/$defs/galleryFields"
            },
            "withoutImages": {
              "type": "boolean",
              "description": "post and message galleries: also produce the gallery when the post has videos but no pictures, to group its scenes"
            },
            "custom_fields": {
              "$ref": "#/$defs/customFields"
            }
          }
        }
      ]
    },
    "scene": {
      "oneOf": [
        {
          "type": "boolean"
        },
        {
          "type": [
            "object",
            "null"
          ],
          "additionalProperties": false,
          "properties": {
            "enabled": {
              "type": "boolean"
            },
            "when": {
              "$ref": "#/$defs/condition"
            },
            "createMissing": {
              "const": false,
              "description": "scenes and images are never created"
            },
            "respectOrganized": {
              "type": "boolean"
            },
            "match": {
              "oneOf": [
                {
                  "enum": [
                    "file",
                    "code",
                    "url",
                    "stashId"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "file",
                      "code",
                      "url",
                      "stashId"
                    ]
                  }
                }
              ]
            },
            "strategy": {
              "$ref": "#/$defs/strategy"
            },
            "fields": {
              "$ref": "#/$defs/sceneFields"
            },
            "custom_fields": {
              "$ref": "#/$defs/customFields"
            }
          }
        }
      ]
    },
    "image": {
      "oneOf": [
        {
          "type": "boolean"
        },
        {
          "type": [
            "object",
            "null"
          ],
          "additionalProperties": false,
          "properties": {
            "enabled": {
              "type": "boolean"
            },
            "when": {
              "$ref": "#/$defs/condition"
            },
            "createMissing": {
              "const": false,
              "description": "scenes and images are never created"
            },
            "respectOrganized": {
              "type": "boolean"
            },
            "match": {
              "oneOf": [
                {
                  "enum": [
                    "file",
                    "code",
                    "url",
                    "stashId"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "file",
                      "code",
                      "url",
                      "stashId"
                    ]
                  }
                }
              ]
            },
            "strategy": {
              "$ref": "#/$defs/strategy"
            },
            "fields": {
              "$ref": "#/$defs/imageFields"
            },
            "custom_fields": {
              "$ref": "#/$defs/customFields"
            }
          }
        }
      ]
    },
    "performer": {
      "oneOf": [
        {
          "type": "boolean"
        },
        {
          "type": [
            "object",
            "null"
          ],
          "additionalProperties": false,
          "properties": {
            "enabled": {
              "type": "boolean"
            },
            "when": {
              "$ref": "#/$defs/condition"
            },
            "createMissing": {
              "type": "boolean"
            },
            "respectOrganized": {
              "type": "boolean"
            },
            "match": {
              "oneOf": [
                {
                  "enum": [
                    "name",
                    "url",
                    "stashId"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "name",
                      "url",
                      "stashId"
                    ]
                  }
                }
              ]
            },
            "strategy": {
              "$ref": "#/$defs/strategy"
            },
            "fields": {
              "$ref": "#/$defs/performerFields"
            },
            "custom_fields": {
              "$ref": "#/$defs/customFields"
            }
          }
        }
      ]
    },
    "accountPerformer": {
      "oneOf": [
        {
          "type": "boolean"
        },
        {
          "type": [
            "object",
            "null"
          ],
          "additionalProperties": false,
          "properties": {
            "enabled": {
              "type": "boolean"
            },
            "when": {
              "$ref": "#/$defs/condition"
            },
            "createMissing": {
              "type": "boolean"
            },
            "respectOrganized": {
              "type": "boolean"
            },
            "match": {
              "oneOf": [
                {
                  "enum": [
                    "name",
                    "url",
                    "stashId"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "name",
                      "url",
                      "stashId"
                    ]
                  }
                }
              ]
            },
            "strategy": {
              "$ref": "#/$defs/strategy"
            },
            "fields": {
              "$ref": "#/$defs/performerFields"
            },
            "shared": {
              "type": "object",
              "description": "username: the performers the account stands for",
              "additionalProperties": {
                "type": "array",
                "items": {
                  "$ref": "#/$defs/performerFields"
                }
              }
            },
            "custom_fields": {
              "$ref": "#/$defs/customFields"
            }
          }
        }
      ]
    },
    "studio": {
      "oneOf": [
        {
          "type": "boolean"
        },
        {
          "type": [
            "object",
            "null"
          ],
          "additionalProperties": false,
          "properties": {
            "enabled": {
              "type": "boolean"
            },
            "when": {
              "$ref": "#/$defs/condition"
            },
            "createMissing": {
              "type": "boolean"
            },
            "respectOrganized": {
              "type": "boolean"
            },
            "match": {
              "oneOf": [
                {
                  "enum": [
                    "name",
                    "url"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "name",
                      "url"
                    ]
                  }
                }
              ]
            },
            "strategy": {
              "$ref": "#/$defs/strategy"
            },
            "fields": {
              "$ref": "#/$defs/studioFields"
            },
            "custom_fields": {
              "$ref": "#/$defs/customFields"
            }
          }
        }
      ]
    },
    "networkStudio": {
      "oneOf": [
        {
          "type": "boolean"
        },
        {
          "type": [
            "object",
            "null"
          ],
          "additionalProperties": false,
          "properties": {
            "enabled": {
              "type": "boolean"
            },
            "when": {
              "$ref": "#/$defs/condition"
            },
            "createMissing": {
              "type": "boolean"
            },
            "respectOrganized": {
              "type": "boolean"
            },
            "match": {
              "oneOf": [
                {
                  "enum": [
                    "name",
                    "url"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "name",
                      "url"
                    ]
                  }
                }
              ]
            },
            "strategy": {
              "$ref": "#/$defs/strategy"
            },
            "fields": {
              "$ref": "#/$defs/networkFields"
            },
            "custom_fields": {
              "$ref": "#/$defs/customFields"
            }
          }
        }
      ]
    },
    "chapter": {
      "oneOf": [
        {
          "type": "boolean"
        },
        {
          "type": [
            "object",
            "null"
          ],
          "additionalProperties": false,
          "properties": {
            "enabled": {
              "type": "boolean"
            },
            "when": {
              "$ref": "#/$defs/condition"
            },
            "createMissing": {
              "type": "boolean"
            },
            "respectOrganized": {
              "type": "boolean"
            },
            "match": {
              "oneOf": [
                {
                  "enum": [
                    "name"
                  ]
                },
                {
                  "type": "array",
                  "items": {
                    "enum": [
                      "name"
                    ]
                  }
                }
              ]
            },
            "strategy": {
              "$ref": "#/$defs/strategy"
            },
            "fields": {
              "$ref": "#/$defs/chapterFields"
            }
          }
        }
      ]
    },
    "customFields": {
      "description": "Stash custom fields: name → template (or a long-form field). Written with Stash's `partial` (other keys are kept). Scenes, images, galleries, studios and tags have custom fields since Stash v0.31, performers since v0.28; on an older Stash they are left out with a notice.",
      "type": "object",
      "propertyNames": {
        "pattern": "^[^.]+$"
      },
      "additionalProperties": {
        "$ref": "#/$defs/textField"
      }
    }
  }
}

"""#
}
