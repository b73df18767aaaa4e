package io.sealmail.engine.imap;

import java.util.List;

/**
 * A parsed command: its tag, its name in upper case ({@code "UID FETCH"} for UID variants) and its arguments,
 * consumed in order through {@link #args()}.
 */
public record ImapRequest(String tag, String name, ImapArgs args) {

    public static ImapRequest parse(ImapInput.Command command, ImapLimits limits) {
        List<ImapArg> all = new ImapParser(command, limits.maxNestingDepth()).parseAll();
        if (all.isEmpty() || !(all.get(0) instanceof ImapArg.Atom tagAtom)) {
            throw new ImapSyntaxException("Missing tag");
        }
        String tag = tagAtom.value();
        if (ImapCommandDecoder.tagOf(tag).equals("*")) {
            throw new ImapSyntaxException("Invalid tag");
        }
        if (all.size() < 2 || !(all.get(1) instanceof ImapArg.Atom nameAtom)) {
            throw new TaggedSyntaxException(tag, "Missing command");
        }
        String name = nameAtom.upper();
        int from = 2;
        if (name.equals("UID")) {
            if (all.size() < 3 || !(all.get(2) instanceof ImapArg.Atom sub)) {
                throw new TaggedSyntaxException(tag, "UID needs a command");
            }
            name = "UID " + sub.upper();
            from = 3;
        }
        return new ImapRequest(tag, name, new ImapArgs(tag, all.subList(from, all.size()), limits));
    }

    /** A syntax error once the tag is known, so the BAD can carry it. */
    public static final class TaggedSyntaxException extends ImapSyntaxException {
        private final String tag;

        public TaggedSyntaxException(String tag, String message) {
            super(message);
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }
}
