import FanslyMetadata
import Foundation

/// Accounts: the network studio, each account's studio and performer(s), and their folders.
extension Evaluation {
    func prefetchAccounts(_ ids: [FanslyID]) throws {
        let missing = Array(Set(ids.filter { accounts.byId[$0] == nil }))
        guard !missing.isEmpty else { return }
        for (id, account) in try source.accounts(ids: missing) { accounts.byId[id] = account }
    }

    func account(_ id: FanslyID, fallback: Account) -> Account {
        accounts.byId[id] ?? fallback
    }

    func folders(for account: Account) -> [String] {
        if let cached = accounts.folders[account.id] { return cached }
        let result = rules.creatorFolders(for: account, downloadRoot: downloadRoot)
        accounts.folders[account.id] = result
        return result
    }

    func addNetwork() {
        let rule = rules.network
        guard rule.enabled else { return }
        let context = RecordContext(urls: rules.urls)
        let (fields, origins) = evaluateFields(
            rule.fields, context, refs: References(), address: Addresses.networkStudio, target: nil)
        guard fields.contains(where: { $0.name == "name" }) else { return }
        add(
            DesiredEntity(
                address: Addresses.networkStudio, fields: fields, match: matchKeys(rule.match, fields: fields),
                createMissing: rule.createMissing, respectOrganized: rule.respectOrganized,
                creator: nil, source: "network"), rank: .account, origins: origins)
        networkAddress = Addresses.networkStudio
    }

    /// The performer/studio addresses of an account, creating its entities on first use;
    /// nil when `account.when` excludes the account.
    func references(for account: Account) -> References? {
        if let cached = accounts.references[account.id] { return cached }
        var context = RecordContext(urls: rules.urls)
        context.account = account
        if let when = rules.accountWhen, !when.holds(context) {
            accounts.references[account.id] = .some(nil)
            if let observer, observer.isTarget(account: account) {
                observer.capture(context, roots: .account)
                observer.report("excluded by " + ExplainObserver.place("account.when", when))
            }
            return nil
        }
        var refs = References()
        refs.network = networkAddress
        let focused = entering(context, roots: .account) { $0.isTarget(account: account) }
        defer { if focused { observer?.leave() } }
        if let studio = addStudio(for: account, context) { refs.creatorStudio = studio }
        refs.creatorPerformers = addPerformers(for: account, context)
        accounts.references[account.id] = .some(refs)
        return refs
    }

    private func addStudio(for account: Account, _ context: RecordContext) -> EntityAddress? {
        let studioRule = rules.studio
        guard studioRule.enabled, studioRule.when?.holds(context) ?? true else { return nil }
        let address = Addresses.studio(account.username)
        var base = References()
        base.network = networkAddress
        let (fields, origins) = evaluateFields(studioRule.fields, context, refs: base, address: address, target: nil)
        guard fields.contains(where: { $0.name == "name" }) else { return nil }
        add(
            DesiredEntity(
                address: address, fields: fields, match: matchKeys(studioRule.match, fields: fields),
                createMissing: studioRule.createMissing, respectOrganized: studioRule.respectOrganized,
                creator: account.username, source: "account \(account.username)"),
            rank: .account, origins: origins)
        return address
    }

    /// The account's performer, or the people a shared account stands for (`sharedPerformers`).
    private func addPerformers(for account: Account, _ context: RecordContext) -> [EntityAddress] {
        let performerRule = rules.performer
        guard performerRule.enabled, performerRule.when?.holds(context) ?? true else { return [] }
        var result: [EntityAddress] = []
        if let shared = rules.sharedPerformers[account.username.lowercased()] {
            for person in shared {
                var (fields, origins) = evaluateFields(
                    person.fields, context, refs: References(), address: nil, target: nil)
                guard case .string(let name)? = fields.first(where: { $0.name == "name" })?.value else { continue }
                let address = Addresses.sharedPerformer(account.username, name)
                normaliseAliases(&fields, name: name, add: nil)
                origins["name"] =
                    origins["name"]
                    ?? FieldOrigin(
                        rule: "account.performer.shared.\(account.username)", location: person.location.description)
                addPerformer(address, fields, origins, of: account, source: "account \(account.username) (shared)")
                result.append(address)
            }
        } else {
            let address = Addresses.performer(account.username)
            var (fields, origins) = evaluateFields(
                performerRule.fields, context, refs: References(), address: address, target: nil)
            if case .string(let name)? = fields.first(where: { $0.name == "name" })?.value {
                normaliseAliases(&fields, name: name, add: account.username)
                if origins["alias_list"] == nil {
                    origins["alias_list"] = FieldOrigin(rule: "engine: the username is always an alias", location: nil)
                }
                addPerformer(address, fields, origins, of: account, source: "account \(account.username)")
                result.append(address)
            }
        }
        return result
    }

    /// Adds a performer of `account` under the performer rule's match keys (with the account's
    /// Stash id as a hint when the rule matches by it), creation and `organized` settings.
    private func addPerformer(
        _ address: EntityAddress, _ fields: [DesiredField], _ origins: [String: FieldOrigin], of account: Account,
        source: String
    ) {
        let performerRule = rules.performer
        var match = matchKeys(performerRule.match, fields: fields)
        if performerRule.match.contains(.stashId), let hint = account.stashID {
            match.append(.stashIdHint(String(hint)))
        }
        add(
            DesiredEntity(
                address: address, fields: fields, match: match, createMissing: performerRule.createMissing,
                respectOrganized: performerRule.respectOrganized, creator: account.username, source: source),
            rank: .account, origins: origins)
    }

    /// Stash refuses an alias equal to the name or repeated; the username is always an alias.
    func normaliseAliases(_ fields: inout [DesiredField], name: String, add extra: String?) {
        var aliases: [String] = []
        var strategy = FieldStrategy.merge
        if let index = fields.firstIndex(where: { $0.name == "alias_list" }) {
            if case .strings(let list) = fields[index].value { aliases = list }
            strategy = fields[index].strategy
            fields.remove(at: index)
        }
        if let extra { aliases.append(extra) }
        var seen: Set<String> = [name.lowercased()]
        aliases = aliases.filter { seen.insert($0.lowercased()).inserted }
        if !aliases.isEmpty {
            fields.append(DesiredField(name: "alias_list", value: .strings(aliases), strategy: strategy))
        }
    }
}
