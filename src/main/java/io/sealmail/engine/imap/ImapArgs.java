package io.sealmail.engine.imap;

import java.util.List;

/** The arguments of one command, consumed in order; every accessor throws a tagged BAD on a mismatch. */
public final class ImapArgs {
    private final String tag;
    private final List<ImapArg> items;
    private final ImapLimits limits;
    private int next;

    ImapArgs(String tag, List<ImapArg> items, ImapLimits limits) {
        this.tag = tag;
        this.items = items;
        this.limits = limits;
    }

    public ImapLimits limits() {
        return limits;
    }

    public boolean hasNext() {
        return next < items.size();
    }

    public ImapArg peek() {
        return hasNext() ? items.get(next) : null;
    }

    public ImapArg next(String what) {
        if (!hasNext()) {
            throw bad("Missing " + what);
        }
        return items.get(next++);
    }

    /** atom, quoted string or literal (RFC 9051 astring). */
    public String astring(String what) {
        ImapArg arg = next(what);
        String s = ImapArg.stringValue(arg);
        if (s == null) {
            throw bad("Expected a string for " + what);
        }
        return s;
    }

    public String atom(String what) {
        ImapArg arg = next(what);
        if (!(arg instanceof ImapArg.Atom a)) {
            throw bad("Expected an atom for " + what);
        }
        return a.value();
    }

    public List<ImapArg> list(String what) {
        ImapArg arg = next(what);
        if (!(arg instanceof ImapArg.ListArg l)) {
            throw bad("Expected a list for " + what);
        }
        return l.items();
    }

    /** The next argument if it is a list, else null (and nothing is consumed). */
    public List<ImapArg> optionalList() {
        if (peek() instanceof ImapArg.ListArg l) {
            next++;
            return l.items();
        }
        return null;
    }

    /** A sequence set or {@code $} (RFC 5182), which the selected mailbox resolves. */
    public SequenceSet sequenceSet(String what) {
        String text = atom(what);
        try {
            return SequenceSet.parseOrSaved(text, limits.maxSequenceRanges());
        } catch (ImapSyntaxException e) {
            throw new ImapSyntaxException(e.code(), e.getMessage());
        }
    }

    public void end() {
        if (hasNext()) {
            throw bad("Unexpected extra arguments");
        }
    }

    public ImapSyntaxException bad(String message) {
        return new ImapRequest.TaggedSyntaxException(tag, message);
    }
}
