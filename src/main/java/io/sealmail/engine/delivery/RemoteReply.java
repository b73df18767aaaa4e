package io.sealmail.engine.delivery;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reply from a remote SMTP server (RFC 5321 §4.2), or one we make up for a failure that has no reply (a timeout,
 * a refused connection), with the same shape so the queue, the log and the DSN treat both alike.
 *
 * @param code  the three-digit code
 * @param lines the text of each line, without the code and separator
 */
public record RemoteReply(int code, List<String> lines) {
    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s|$)");

    public RemoteReply {
        lines = List.copyOf(lines);
    }

    public static RemoteReply of(int code, String text) {
        return new RemoteReply(code, List.of(text));
    }

    /** 2xx: done (RFC 5321 §4.2.1). */
    public boolean positive() {
        return code >= 200 && code < 300;
    }

    /** 3xx: go on (354 after DATA). */
    public boolean intermediate() {
        return code >= 300 && code < 400;
    }

    /** 4xx: try again later. */
    public boolean transientFailure() {
        return code >= 400 && code < 500;
    }

    /** 5xx: do not try again. */
    public boolean permanentFailure() {
        return code >= 500;
    }

    /** The enhanced status code of the first line (RFC 3463), or one derived from the basic code. */
    public String status() {
        if (!lines.isEmpty()) {
            Matcher m = ENHANCED.matcher(lines.get(0));
            if (m.find() && m.group(1).charAt(0) == Integer.toString(code).charAt(0)) {
                return m.group(1) + "." + m.group(2) + "." + m.group(3);
            }
        }
        return positive() ? "2.0.0" : transientFailure() ? "4.0.0" : "5.0.0";
    }

    /** The whole reply on one line, as logged and recorded: {@code 550 5.1.1 no such user}. */
    @Override
    public String toString() {
        return code + " " + String.join(" ", lines).strip();
    }
}
