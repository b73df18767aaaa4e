package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailFolder.MessageInfo;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.MailboxException;
import io.sealmail.store.mailbox.Mailboxes;

import java.io.IOException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Commands on mailboxes as a whole: SELECT, EXAMINE, CREATE, DELETE, RENAME, (UN)SUBSCRIBE, LIST, LSUB, NAMESPACE, STATUS, APPEND. */
final class MailboxCommands {
    static final String SYSTEM_FLAGS = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
    private static final String SEP = String.valueOf(Mailboxes.SEPARATOR);

    private MailboxCommands() {
    }

    static String mailbox(ImapSession s, ImapRequest r) {
        return MailboxName.decode(r.args().astring("mailbox name"), s.utf8());
    }

    static void select(ImapSession s, ImapRequest r) throws IOException {
        String name = mailbox(s, r);
        List<ImapArg> params = r.args().optionalList();
        r.args().end();
        CondStore.Resync qresync = null;
        if (params != null) {
            // RFC 7162 §3.1.8 (CONDSTORE) and §3.2.5 (QRESYNC (uidvalidity modseq [known-uids [seq-match]])).
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < params.size(); i++) {
                String p = String.valueOf(ImapArg.stringValue(params.get(i))).toUpperCase(Locale.ROOT);
                if (!seen.add(p)) {
                    throw r.args().bad("SELECT parameter " + p + " given twice");
                }
                if (p.equals("CONDSTORE")) {
                    CondStore.enable(s);
                } else if (p.equals("QRESYNC") && i + 1 < params.size() && params.get(i + 1) instanceof ImapArg.ListArg l) {
                    if (!CondStore.qresync(s)) {
                        throw r.args().bad("QRESYNC needs ENABLE QRESYNC first");
                    }
                    qresync = CondStore.Resync.parse(l.items(), r);
                    i++;
                } else {
                    throw r.args().bad("Unknown SELECT parameter " + p);
                }
            }
        }
        boolean readOnly = r.name().equals("EXAMINE");
        // RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected; the one closed is announced with [CLOSED]
        // (IMAP4rev2, and RFC 7162 §3.2.11 once QRESYNC is on).
        if (s.selected() != null && (s.rev2() || CondStore.qresync(s))) {
            s.untagged("OK [CLOSED] Previous mailbox is now closed");
        }
        s.deselect();
        MailFolder folder = s.mailboxes().open(name);
        SelectedMailbox mailbox = new SelectedMailbox(folder, readOnly, s::folderChanged);
        s.select(mailbox);
        List<MessageInfo> view = mailbox.view();
        for (String line : mailbox.flagResponses()) {
            s.untagged(line);
        }
        s.untagged(view.size() + " EXISTS");
        if (s.rev2()) {
            // RFC 9051 §6.3.2: a LIST response with accurate attributes; RECENT and UNSEEN are IMAP4rev1's (Appendix E).
            List<Mailboxes.MailboxInfo> all = s.mailboxes().list();
            Set<String> names = names(all);
            for (Mailboxes.MailboxInfo m : all) {
                if (m.name().equals(folder.name())) {
                    writeList(s, "LIST", attributes(m, names, false), m.name());
                    break;
                }
            }
        } else {
            s.untagged("0 RECENT");
            for (int i = 0; i < view.size(); i++) {
                if (!view.get(i).flags().contains("\\Seen")) {
                    s.untagged("OK [UNSEEN " + (i + 1) + "] First unseen");
                    break;
                }
            }
        }
        s.untagged("OK [UIDVALIDITY " + folder.uidValidity() + "] UIDs valid");
        s.untagged("OK [UIDNEXT " + folder.uidNext() + "] Predicted next UID");
        long highest = folder.highestModseq();
        // RFC 7162 §3.1.2.1: HIGHESTMODSEQ on every SELECT; NOMODSEQ where the store keeps none.
        s.untagged(highest > 0 ? "OK [HIGHESTMODSEQ " + highest + "] Highest" : "OK [NOMODSEQ] No permanent modsequences");
        if (qresync != null) {
            CondStore.resync(s, mailbox, qresync);
        }
        s.ok(r, (readOnly ? "[READ-ONLY] " : "[READ-WRITE] ") + r.name() + " completed");
    }

    static void create(ImapSession s, ImapRequest r) throws IOException {
        String name = mailbox(s, r);
        r.args().end();
        // RFC 9051 §6.3.4: a trailing separator only says the client intends children.
        while (name.endsWith(SEP) && name.length() > 1) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty() || name.equals("INBOX")) {
            throw new MailboxException(name.isEmpty() ? "CANNOT" : "ALREADYEXISTS", "Cannot create " + (name.isEmpty() ? "an empty name" : "INBOX"));
        }
        MailboxNameRules.checkNew(name);
        // Create missing parents too, as RFC 9051 §6.3.4 asks.
        String[] parts = name.split(Pattern.quote(SEP));
        Set<String> existing = names(s);
        int adding = 0;
        StringBuilder prefix = new StringBuilder();
        for (String part : parts) {
            prefix.append(prefix.length() == 0 ? "" : SEP).append(part);
            adding += existing.contains(prefix.toString()) ? 0 : 1;
        }
        int max = s.context().limits().maxFolders();
        if (existing.size() + adding > max) {
            throw new MailboxException("LIMIT", "Too many mailboxes: at most " + max + " per account");
        }
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            path.append(i == 0 ? "" : SEP).append(parts[i]);
            if (!existing.contains(path.toString())) {
                s.mailboxes().create(path.toString());
            }
        }
        s.mailboxes().create(name);
        s.ok(r, "CREATE completed");
    }

    private static Set<String> names(ImapSession s) throws IOException {
        Set<String> names = new HashSet<>();
        for (Mailboxes.MailboxInfo info : s.mailboxes().list()) {
            names.add(info.name());
        }
        return names;
    }

    static void delete(ImapSession s, ImapRequest r) throws IOException {
        String name = mailbox(s, r);
        r.args().end();
        if (s.selected() != null && s.selected().folder.name().equals(name)) {
            s.deselect();
        }
        s.mailboxes().delete(name);
        s.ok(r, "DELETE completed");
    }

    static void rename(ImapSession s, ImapRequest r) throws IOException {
        String from = mailbox(s, r);
        String to = mailbox(s, r);
        r.args().end();
        MailboxNameRules.checkNew(to);
        s.mailboxes().rename(from, to);
        s.ok(r, "RENAME completed");
    }

    static void subscribe(ImapSession s, ImapRequest r) throws IOException {
        String name = mailbox(s, r);
        r.args().end();
        boolean on = r.name().equals("SUBSCRIBE");
        if (on && !names(s).contains(name)) {
            throw new MailboxException("NONEXISTENT", "No such mailbox");
        }
        s.mailboxes().setSubscribed(name, on);
        s.ok(r, r.name() + " completed");
    }

    static void namespace(ImapSession s, ImapRequest r) throws IOException {
        r.args().end();
        s.untagged("NAMESPACE ((\"\" \"" + SEP + "\")) NIL NIL");
        s.ok(r, "NAMESPACE completed");
    }

    /** LIST with RFC 5258 selection options SUBSCRIBED, SPECIAL-USE and return options SUBSCRIBED, CHILDREN, SPECIAL-USE. */
    static void list(ImapSession s, ImapRequest r) throws IOException {
        boolean lsub = r.name().equals("LSUB");
        Set<String> selection = new HashSet<>();
        List<ImapArg> selOpts = lsub ? null : r.args().optionalList();
        if (selOpts != null) {
            for (ImapArg a : selOpts) {
                selection.add(ImapArg.stringValue(a).toUpperCase(Locale.ROOT));
            }
        }
        String reference = MailboxName.decode(r.args().astring("reference"), s.utf8());
        List<String> patterns = new ArrayList<>();
        List<ImapArg> patternList = r.args().optionalList();
        if (patternList != null) {
            for (ImapArg a : patternList) {
                patterns.add(ImapArg.stringValue(a));
            }
        } else {
            patterns.add(r.args().astring("mailbox pattern"));
        }
        Set<String> returns = new HashSet<>();
        List<String> statusItems = null;
        if (r.args().hasNext()) {
            if (!r.args().atom("RETURN").equalsIgnoreCase("RETURN")) {
                throw r.args().bad("Expected RETURN");
            }
            List<ImapArg> options = r.args().list("return options");
            for (int i = 0; i < options.size(); i++) {
                String opt = ImapArg.stringValue(options.get(i));
                if (opt == null) {
                    throw r.args().bad("Unsupported return option");
                }
                opt = opt.toUpperCase(Locale.ROOT);
                if (opt.equals("STATUS")) {
                    // RFC 5819 LIST-STATUS: STATUS (items), answered after each LIST line as STATUS would.
                    if (i + 1 >= options.size() || !(options.get(i + 1) instanceof ImapArg.ListArg items)) {
                        throw r.args().bad("STATUS needs a list of status items");
                    }
                    statusItems = statusItems(items.items(), r);
                    i++;
                }
                returns.add(opt);
            }
        }
        r.args().end();
        boolean onlySubscribed = lsub || selection.contains("SUBSCRIBED");
        boolean onlySpecialUse = selection.contains("SPECIAL-USE");
        boolean showSubscribed = !lsub && (returns.contains("SUBSCRIBED") || selection.contains("SUBSCRIBED"));
        if (patterns.size() == 1 && patterns.get(0).isEmpty()) {
            // RFC 9051 §6.3.9: the hierarchy delimiter and root.
            s.untagged((lsub ? "LSUB" : "LIST") + " (\\Noselect) \"" + SEP + "\" \"\"");
            s.ok(r, r.name() + " completed");
            return;
        }
        List<Mailboxes.MailboxInfo> all = s.mailboxes().list();
        Set<String> names = names(all);
        List<Pattern> regexes = new ArrayList<>();
        for (String p : patterns) {
            regexes.add(toRegex(MailboxName.decode(reference + p, s.utf8())));
        }
        List<Mailboxes.MailboxInfo> matching = new ArrayList<>();
        for (Mailboxes.MailboxInfo m : all) {
            if (onlySubscribed && !m.subscribed()) {
                continue;
            }
            if (onlySpecialUse && m.specialUse() == null) {
                continue;
            }
            if (regexes.stream().noneMatch(p -> p.matcher(m.name()).matches())) {
                continue;
            }
            matching.add(m);
        }
        Set<String> missing = onlySubscribed || onlySpecialUse ? Set.of() : missingParents(all, names, regexes, matching);
        Set<String> subscribedGone = onlySubscribed && !onlySpecialUse
                ? subscribedButGone(s.mailboxes().subscribedNames(), names, regexes, matching) : Set.of();
        for (Mailboxes.MailboxInfo m : matching) {
            if (subscribedGone.contains(m.name())) {
                // RFC 5258 §3.1 / RFC 9051 §6.3.9: a subscription whose folder is gone; LSUB says \Noselect.
                writeList(s, lsub ? "LSUB" : "LIST", lsub ? List.of("\\Noselect")
                        : List.of("\\Subscribed", "\\NonExistent"), m.name());
                continue;
            }
            if (missing.contains(m.name())) {
                // A level that exists only through its children (Maildir++ folders made by other tools): RFC 9051
                // §6.3.9.6 and example 10 say \NonExistent \HasChildren; IMAP4rev1 said \Noselect (RFC 3501 §6.3.8).
                writeList(s, lsub ? "LSUB" : "LIST", lsub ? List.of("\\Noselect")
                        : List.of(s.rev2() ? "\\NonExistent" : "\\Noselect", "\\HasChildren"), m.name());
                continue;
            }
            List<String> attrs = lsub ? List.of() : attributes(m, names, showSubscribed);
            writeList(s, lsub ? "LSUB" : "LIST", attrs, m.name());
            if (statusItems != null) {
                try (MailFolder folder = s.mailboxes().open(m.name())) {
                    writeStatus(s, folder, statusItems);
                } catch (MailboxException gone) {
                    // RFC 5819 §2: deleted meanwhile; its STATUS is left out, the LIST goes on.
                }
            }
        }
        s.ok(r, r.name() + " completed");
    }

    private static Set<String> names(List<Mailboxes.MailboxInfo> all) {
        Set<String> names = new HashSet<>();
        for (Mailboxes.MailboxInfo m : all) {
            names.add(m.name());
        }
        return names;
    }

    /**
     * Adds, in name order among {@code matching}, the parent levels that do not exist as folders (a Maildir++
     * {@code .a.b} without {@code .a}) and match a pattern, when none of their existing descendants is answered
     * already: {@code LIST "" %} shows {@code a}, {@code LIST "" *} only {@code a/b} (RFC 9051 §6.3.9.6, example 10).
     */
    private static Set<String> missingParents(List<Mailboxes.MailboxInfo> all, Set<String> names, List<Pattern> regexes,
                                              List<Mailboxes.MailboxInfo> matching) {
        java.util.TreeSet<String> missing = new java.util.TreeSet<>();
        for (Mailboxes.MailboxInfo m : all) {
            for (int i = m.name().indexOf(SEP); i > 0; i = m.name().indexOf(SEP, i + 1)) {
                String parent = m.name().substring(0, i);
                if (!names.contains(parent)) {
                    missing.add(parent);
                }
            }
        }
        Set<String> added = new HashSet<>();
        for (String parent : missing) {
            if (regexes.stream().noneMatch(p -> p.matcher(parent).matches())
                    || matching.stream().anyMatch(m -> m.name().startsWith(parent + SEP))) {
                continue;
            }
            matching.add(new Mailboxes.MailboxInfo(parent, null, false));
            added.add(parent);
        }
        if (!added.isEmpty()) {
            matching.sort((a, b) -> a.name().equals(b.name()) ? 0 : a.name().equals("INBOX") ? -1
                    : b.name().equals("INBOX") ? 1 : a.name().compareTo(b.name()));
        }
        return added;
    }

    /** Adds, in name order, the subscribed names that match a pattern and have no folder (any more). */
    private static Set<String> subscribedButGone(Set<String> subscribed, Set<String> names, List<Pattern> regexes,
                                                 List<Mailboxes.MailboxInfo> matching) {
        Set<String> added = new HashSet<>();
        for (String name : subscribed) {
            if (!names.contains(name) && regexes.stream().anyMatch(p -> p.matcher(name).matches())) {
                matching.add(new Mailboxes.MailboxInfo(name, null, true));
                added.add(name);
            }
        }
        if (!added.isEmpty()) {
            matching.sort((a, b) -> a.name().equals(b.name()) ? 0 : a.name().equals("INBOX") ? -1
                    : b.name().equals("INBOX") ? 1 : a.name().compareTo(b.name()));
        }
        return added;
    }

    /** The LIST attributes of an existing folder: children, its RFC 6154 use, and \Subscribed when asked. */
    private static List<String> attributes(Mailboxes.MailboxInfo m, Set<String> names, boolean showSubscribed) {
        List<String> attrs = new ArrayList<>();
        boolean children = names.stream().anyMatch(n -> n.startsWith(m.name() + SEP));
        attrs.add(children ? "\\HasChildren" : "\\HasNoChildren");
        if (m.specialUse() != null) {
            attrs.add(m.specialUse());
        }
        if (showSubscribed && m.subscribed()) {
            attrs.add("\\Subscribed");
        }
        return attrs;
    }

    private static void writeList(ImapSession s, String response, List<String> attrs, String name) {
        ResponseWriter w = s.response().raw("* ").raw(response).raw(" (").raw(String.join(" ", attrs))
                .raw(") \"" + SEP + "\" ").string(MailboxName.encode(name, s.utf8())).crlf();
        s.write(w.buffer());
    }

    /** {@code *} matches anything, {@code %} anything but the separator; INBOX matches case-insensitively. */
    static Pattern toRegex(String pattern) {
        StringBuilder sb = new StringBuilder();
        String p = pattern;
        if (p.length() >= 5 && p.substring(0, 5).equalsIgnoreCase("INBOX")
                && (p.length() == 5 || p.charAt(5) == Mailboxes.SEPARATOR || p.charAt(5) == '*' || p.charAt(5) == '%')) {
            p = "INBOX" + p.substring(5);
        }
        StringBuilder literal = new StringBuilder();
        for (char c : p.toCharArray()) {
            if (c == '*' || c == '%') {
                sb.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                sb.append(c == '*' ? ".*" : "[^" + Pattern.quote(SEP) + "]*");
            } else {
                literal.append(c);
            }
        }
        sb.append(Pattern.quote(literal.toString()));
        return Pattern.compile(sb.toString(), Pattern.DOTALL);
    }

    static void status(ImapSession s, ImapRequest r) throws IOException {
        String name = mailbox(s, r);
        List<String> items = statusItems(r.args().list("status items"), r);
        r.args().end();
        try (MailFolder folder = s.mailboxes().open(name)) {
            writeStatus(s, folder, items);
        }
        s.ok(r, "STATUS completed");
    }

    private static final Set<String> STATUS_ITEMS = Set.of("MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED",
            "SIZE", "RECENT", "HIGHESTMODSEQ", "DELETED-STORAGE");

    /** The items, checked before anything is answered: an unknown one is BAD for the whole command. */
    static List<String> statusItems(List<ImapArg> args, ImapRequest r) {
        List<String> items = new ArrayList<>();
        for (ImapArg a : args) {
            String item = String.valueOf(ImapArg.stringValue(a)).toUpperCase(Locale.ROOT);
            if (!STATUS_ITEMS.contains(item)) {
                throw r.args().bad("Unknown STATUS item " + item);
            }
            items.add(item);
        }
        return items;
    }

    static void writeStatus(ImapSession s, MailFolder folder, List<String> items) throws IOException {
        List<MessageInfo> msgs = folder.messages();
        List<String> out = new ArrayList<>();
        for (String item : items) {
            switch (item) {
                case "MESSAGES" -> out.add("MESSAGES " + msgs.size());
                case "UIDNEXT" -> out.add("UIDNEXT " + folder.uidNext());
                case "UIDVALIDITY" -> out.add("UIDVALIDITY " + folder.uidValidity());
                case "UNSEEN" -> out.add("UNSEEN " + msgs.stream().filter(m -> !m.flags().contains("\\Seen")).count());
                case "DELETED" -> out.add("DELETED " + msgs.stream().filter(m -> m.flags().contains("\\Deleted")).count());
                // RFC 8438 STATUS=SIZE: octets of all messages.
                case "SIZE" -> out.add("SIZE " + msgs.stream().mapToLong(MessageInfo::size).sum());
                // RFC 9208 §4.3.3: STORAGE units (1,024 octets) an EXPUNGE would free, rounded up as the quota counts.
                case "DELETED-STORAGE" -> out.add("DELETED-STORAGE " + QuotaCommands.kib(msgs.stream()
                        .filter(m -> m.flags().contains("\\Deleted")).mapToLong(MessageInfo::size).sum()));
                case "RECENT" -> out.add("RECENT 0");
                case "HIGHESTMODSEQ" -> {
                    CondStore.enable(s);
                    out.add("HIGHESTMODSEQ " + folder.highestModseq());
                }
                default -> throw new IllegalStateException(item);
            }
        }
        ResponseWriter w = s.response().raw("* STATUS ").string(MailboxName.encode(folder.name(), s.utf8()))
                .raw(" (").raw(String.join(" ", out)).raw(")").crlf();
        s.write(w.buffer());
    }

    static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("d-MMM-yyyy HH:mm:ss Z", Locale.ENGLISH);

    /**
     * APPEND, and MULTIAPPEND (RFC 3502): several {@code [flags] [date-time] literal} groups in one command, all
     * stored or none; {@code [APPENDUID validity uid-set]} (RFC 4315) names them all.
     */
    static void append(ImapSession s, ImapRequest r) throws IOException {
        String name = mailbox(s, r);
        List<Mailboxes.NewMessage> messages = new ArrayList<>();
        do {
            messages.add(appendedMessage(s, r));
        } while (r.args().hasNext());
        List<Mailboxes.AppendResult> results = s.mailboxes().appendAll(name, messages);
        List<Long> uids = results.stream().map(Mailboxes.AppendResult::uid).toList();
        s.ok(r, "[APPENDUID " + results.get(0).uidValidity() + " " + SequenceSet.format(uids) + "] APPEND completed");
    }

    private static Mailboxes.NewMessage appendedMessage(ImapSession s, ImapRequest r) {
        Set<String> flags = new HashSet<>();
        List<ImapArg> flagList = r.args().optionalList();
        if (flagList != null) {
            flags.addAll(StoreCommands.flags(r, flagList));
        }
        Instant date = Instant.now();
        ImapArg next = r.args().next("message literal");
        if (next instanceof ImapArg.Quoted q) {
            try {
                date = ZonedDateTime.parse(q.value().trim(), DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                throw r.args().bad("Invalid date-time");
            }
            next = r.args().next("message literal");
        }
        if (!(next instanceof ImapArg.Literal literal)) {
            throw r.args().bad("APPEND needs the message as a literal");
        }
        return new Mailboxes.NewMessage(literal.bytes(), flags, date);
    }
}
