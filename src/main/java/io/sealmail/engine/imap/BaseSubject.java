package io.sealmail.engine.imap;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;

/**
 * The base subject of RFC 5256 §2.1, which SORT SUBJECT and both THREAD algorithms compare: "Re: [list] Fwd: x
 * (fwd)" and "[Fwd: x]" are all "x". {@link #key} is folded for the i;unicode-casemap comparator SORT uses under
 * I18NLEVEL=1 ({@link UnicodeCasemap}); {@link #replyOrForward} says whether a reply or forward marker was removed, which
 * THREAD REFERENCES uses when it merges threads by subject (§2.3 step 5).
 */
record BaseSubject(String key, boolean replyOrForward) {

    static final BaseSubject EMPTY = new BaseSubject("", false);

    static BaseSubject of(String rawSubject) {
        if (rawSubject == null) {
            return EMPTY;
        }
        // (1) Encoded words decoded, tabs and line breaks made spaces, runs of spaces made one. The text is folded
        // first (i;unicode-casemap, RFC 5255 §4.4), as Dovecot does: NFKD may make spaces (a no-break space is one).
        String decoded = UnicodeCasemap.fold(rawSubject.indexOf("=?") >= 0
                ? DecoderUtil.decodeEncodedWords(rawSubject, DecodeMonitor.SILENT) : rawSubject);
        StringBuilder sb = new StringBuilder(decoded.length());
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c == '\t' || c == '\r' || c == '\n') {
                c = ' ';
            }
            if (c == ' ' && sb.length() > 0 && sb.charAt(sb.length() - 1) == ' ') {
                continue;
            }
            sb.append(c);
        }
        String s = sb.toString();
        boolean refwd = false;
        while (true) {
            // (2) Trailers: "(fwd)" and white space, repeatedly.
            while (true) {
                if (s.endsWith(" ")) {
                    s = s.substring(0, s.length() - 1);
                } else if (s.endsWith("(FWD)")) {
                    s = s.substring(0, s.length() - 5);
                    refwd = true;
                } else {
                    break;
                }
            }
            // (3)-(5) Leaders ("Re:", "[blob] Fwd:", white space) and blobs, until none is left.
            boolean removed = true;
            while (removed) {
                removed = false;
                int leader = leader(s);
                if (leader > 0) {
                    refwd |= s.charAt(0) != ' ';
                    s = s.substring(leader);
                    removed = true;
                }
                int blob = blob(s, 0);
                if (blob > 0 && hasNonSpace(s, blob)) {
                    s = s.substring(blob);
                    removed = true;
                }
            }
            // (6) "[Fwd: x]" is x, and the whole extraction starts again.
            if (s.startsWith("[FWD:") && s.endsWith("]")) {
                s = s.substring(5, s.length() - 1);
                refwd = true;
                continue;
            }
            return new BaseSubject(s, refwd);
        }
    }

    /** Length of a subj-leader at the start: {@code *subj-blob subj-refwd} or one WSP; 0 when none. */
    private static int leader(String s) {
        if (s.startsWith(" ")) {
            return 1;
        }
        int p = 0;
        while (true) {
            int refwd = refwd(s, p);
            if (refwd > 0) {
                return refwd;
            }
            int blob = blob(s, p);
            if (blob == p) {
                return 0;
            }
            p = blob;
        }
    }

    /** End of {@code subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"} starting at {@code p}, or 0. */
    private static int refwd(String s, int p) {
        int i;
        if (s.startsWith("RE", p)) {
            i = p + 2;
        } else if (s.startsWith("FWD", p)) {
            i = p + 3;
        } else if (s.startsWith("FW", p)) {
            i = p + 2;
        } else {
            return 0;
        }
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        i = blob(s, i);
        return i < s.length() && s.charAt(i) == ':' ? i + 1 : 0;
    }

    /** End of {@code subj-blob = "[" *BLOBCHAR "]" *WSP} starting at {@code p}, or {@code p} when there is none. */
    private static int blob(String s, int p) {
        if (p >= s.length() || s.charAt(p) != '[') {
            return p;
        }
        int i = p + 1;
        while (i < s.length() && s.charAt(i) != ']') {
            if (s.charAt(i) == '[') {
                return p;
            }
            i++;
        }
        if (i >= s.length()) {
            return p;
        }
        i++;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static boolean hasNonSpace(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) != ' ') {
                return true;
            }
        }
        return false;
    }
}
