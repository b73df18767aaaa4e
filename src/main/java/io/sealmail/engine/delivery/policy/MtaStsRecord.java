package io.sealmail.engine.delivery.policy;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code _mta-sts.<domain>} TXT record (RFC 8461 §3.1): {@code v=STSv1; id=20261203T1200;}. Only the id
 * matters to a sender: a new id says a new policy is waiting at the policy host.
 */
public record MtaStsRecord(String id) {
    // sts-id = %s"id=" 1*32(ALPHA / DIGIT)
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,32}");
    // sts-ext-name = (ALPHA / DIGIT) 0*31(ALPHA / DIGIT / "_" / "-" / ".")
    private static final Pattern EXT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    // sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E): printable, no '=' or ';'
    private static final Pattern EXT_VALUE = Pattern.compile("[\\x21-\\x3A\\x3C\\x3E-\\x7E]+");
    private static final String VERSION = "v=STSv1";

    /**
     * Picks the policy record out of all TXT records at {@code _mta-sts.<domain>}, each given as its strings
     * joined. RFC 8461 §3.1: records not starting with {@code v=STSv1;} are discarded; if not exactly one remains,
     * or that one is malformed, the domain has no available policy.
     */
    public static MtaStsRecord select(List<String> txtRecords) throws MtaStsSyntaxException {
        List<String> candidates = txtRecords.stream().filter(MtaStsRecord::startsWithVersion).toList();
        if (candidates.isEmpty()) {
            throw new MtaStsSyntaxException("no TXT record starts with v=STSv1;");
        }
        if (candidates.size() > 1) {
            throw new MtaStsSyntaxException(candidates.size() + " TXT records start with v=STSv1; (RFC 8461 §3.1 wants one)");
        }
        return parse(candidates.get(0));
    }

    private static boolean startsWithVersion(String txt) {
        if (!txt.startsWith(VERSION)) {
            return false;
        }
        String rest = txt.substring(VERSION.length()).stripLeading();
        return rest.startsWith(";");
    }

    /** One record's text, strictly: {@code v=STSv1} first, then {@code ;}-separated fields, exactly one id. */
    public static MtaStsRecord parse(String txt) throws MtaStsSyntaxException {
        if (!startsWithVersion(txt)) {
            throw new MtaStsSyntaxException("record does not start with v=STSv1;");
        }
        String id = null;
        String[] fields = txt.split(";", -1);
        for (int i = 1; i < fields.length; i++) {
            String field = MtaStsPolicy.stripBlanks(fields[i]);
            if (field.isEmpty() && i == fields.length - 1) {
                break; // the optional trailing delimiter
            }
            int eq = field.indexOf('=');
            if (eq <= 0) {
                throw new MtaStsSyntaxException("field '" + shorten(field) + "' is not name=value");
            }
            String name = field.substring(0, eq);
            String value = field.substring(eq + 1);
            if (name.equals("id")) {
                if (!ID.matcher(value).matches()) {
                    throw new MtaStsSyntaxException("id '" + shorten(value) + "' is not 1-32 letters and digits");
                }
                if (id == null) {
                    id = value; // RFC 8461 §3.2: of repeated fields (other than mx) the first counts
                }
            } else if (!EXT_NAME.matcher(name).matches() || !EXT_VALUE.matcher(value).matches()) {
                throw new MtaStsSyntaxException("field '" + shorten(field) + "' is malformed");
            }
        }
        if (id == null) {
            throw new MtaStsSyntaxException("record has no id");
        }
        return new MtaStsRecord(id);
    }

    static String shorten(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() <= 64 ? printable : printable.substring(0, 64) + "...";
    }
}
