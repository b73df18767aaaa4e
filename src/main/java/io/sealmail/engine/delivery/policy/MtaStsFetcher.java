package io.sealmail.engine.delivery.policy;

import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import io.sealmail.engine.tls.TlsPolicy;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fetches {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} as RFC 8461 §3.3 asks: TLS 1.2 or newer, a
 * certificate valid for {@code mta-sts.<domain>} from a trusted CA, status 200 only (redirects are not followed),
 * media type text/plain, at most {@link MtaStsPolicy#MAX_BYTES}, everything within one deadline.
 * <p>
 * A small HTTP/1.1 GET rather than the JDK's HttpClient: the policy host is resolved through the same
 * {@link DnsLookup} as the MX hosts (Java 17's HttpClient only uses the system resolver), and every read is bounded by
 * the deadline, so a policy host that trickles bytes costs only the delivery waiting on it.
 */
public final class MtaStsFetcher {
    static final String PATH = "/.well-known/mta-sts.txt";
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int MAX_ADDRESSES = 4;

    private final DnsLookup dns;
    private final WebPkiTrust trust;
    private final int port;
    private final Duration connectTimeout;
    private final Duration timeout;

    /**
     * @param port           443; tests point it elsewhere
     * @param connectTimeout for each address tried
     * @param timeout        for the whole fetch, from the DNS look-up to the last byte
     */
    public MtaStsFetcher(DnsLookup dns, WebPkiTrust trust, int port, Duration connectTimeout, Duration timeout) {
        this.dns = dns;
        this.trust = trust;
        this.port = port;
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
    }

    /** The policy body, or an IOException saying why there is none. */
    public String fetch(String domain) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String host = "mta-sts." + MtaStsPolicy.normalize(domain);
        List<InetAddress> addresses = addresses(host);
        IOException last = null;
        for (InetAddress address : addresses) {
            try {
                return fetch(host, address, deadline);
            } catch (PolicyHostRefusal e) {
                throw e; // an answer from the host itself: another address would be the same server
            } catch (IOException e) {
                last = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
        }
        throw last != null ? last : new IOException(host + " has no address");
    }

    /** IPv4 then IPv6 addresses; one family failing to resolve is fine when the other answers. */
    private List<InetAddress> addresses(String host) throws IOException {
        List<InetAddress> out = new ArrayList<>();
        IOException failure = null;
        for (int type : new int[] {Type.A, Type.AAAA}) {
            DnsAnswer answer;
            try {
                answer = dns.lookup(host, type);
            } catch (IOException e) {
                failure = failure == null ? e : failure;
                continue;
            }
            for (Record r : answer.records()) {
                if (out.size() < MAX_ADDRESSES && r instanceof ARecord a) {
                    out.add(a.getAddress());
                } else if (out.size() < MAX_ADDRESSES && r instanceof AAAARecord aaaa) {
                    out.add(aaaa.getAddress());
                }
            }
        }
        if (out.isEmpty() && failure != null) {
            throw failure;
        }
        return out;
    }

    private String fetch(String host, InetAddress address, long deadline) throws IOException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, port), (int) Math.max(1, Math.min(connectTimeout.toMillis(),
                    remainingMillis(deadline))));
            try (SSLSocket tls = (SSLSocket) trust.sslContext().getSocketFactory().createSocket(plain, host, port, true)) {
                SSLParameters params = tls.getSSLParameters();
                params.setProtocols(TlsPolicy.PROTOCOLS.toArray(String[]::new));
                params.setCipherSuites(TlsPolicy.CIPHER_SUITES.toArray(String[]::new));
                params.setServerNames(List.of(new SNIHostName(host)));
                params.setEndpointIdentificationAlgorithm("HTTPS"); // RFC 8461 §3.3: the name mta-sts.<domain>
                tls.setSSLParameters(params);
                tls.setSoTimeout(remainingMillis(deadline));
                tls.startHandshake();
                OutputStream out = tls.getOutputStream();
                String authority = port == 443 ? host : host + ":" + port;
                out.write(("GET " + PATH + " HTTP/1.1\r\nHost: " + authority + "\r\nAccept: text/plain\r\n"
                        + "User-Agent: Sealmail\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return new Response(tls, deadline, host).read();
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("https://" + host + PATH + ": timed out", e);
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    /** The policy host answered, but not with a usable policy (wrong status, type or size). */
    static final class PolicyHostRefusal extends IOException {
        PolicyHostRefusal(String message) {
            super(message);
        }
    }

    /** One response read from a socket, every read bounded by the deadline. */
    private static final class Response {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;
        private final String url;

        Response(Socket socket, long deadline, String host) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.deadline = deadline;
            this.url = "https://" + host + PATH;
        }

        String read() throws IOException {
            int[] headerBudget = {MAX_HEADER_BYTES};
            String status = line(headerBudget);
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new PolicyHostRefusal(url + ": not an HTTP response");
            }
            String contentType = null;
            String location = null;
            long contentLength = -1;
            boolean chunked = false;
            for (String header = line(headerBudget); !header.isEmpty(); header = line(headerBudget)) {
                int colon = header.indexOf(':');
                if (colon <= 0) {
                    throw new PolicyHostRefusal(url + ": malformed header line");
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-type" -> contentType = value;
                    case "location" -> location = value;
                    case "content-length" -> {
                        try {
                            long parsed = Long.parseLong(value);
                            if (parsed < 0 || (contentLength >= 0 && contentLength != parsed)) {
                                throw new NumberFormatException();
                            }
                            contentLength = parsed;
                        } catch (NumberFormatException e) {
                            throw new PolicyHostRefusal(url + ": bad Content-Length");
                        }
                    }
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
                    default -> {
                    }
                }
            }
            if (!parts[1].equals("200")) {
                // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed"; any other status is no policy either
                throw new PolicyHostRefusal(url + ": HTTP " + parts[1]
                        + (location != null ? " (redirect to " + MtaStsRecord.shorten(location) + " not followed)" : ""));
            }
            if (contentType == null || !contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim().equals("text/plain")) {
                throw new PolicyHostRefusal(url + ": Content-Type " + (contentType == null ? "missing"
                        : MtaStsRecord.shorten(contentType)) + ", RFC 8461 §3.2 wants text/plain");
            }
            if (contentLength > MtaStsPolicy.MAX_BYTES) {
                throw tooLarge();
            }
            byte[] body = chunked ? chunkedBody() : body(contentLength);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
            } catch (CharacterCodingException e) {
                throw new PolicyHostRefusal(url + ": the policy is not UTF-8 text");
            }
        }

        private PolicyHostRefusal tooLarge() {
            return new PolicyHostRefusal(url + ": the policy is larger than " + MtaStsPolicy.MAX_BYTES + " bytes");
        }

        private byte[] body(long length) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (length < 0 || out.size() < length) {
                int want = length < 0 ? buf.length : (int) Math.min(buf.length, length - out.size());
                int n = read(buf, want);
                if (n < 0) {
                    if (length >= 0) {
                        throw new IOException(url + ": connection closed before the end of the body");
                    }
                    break;
                }
                out.write(buf, 0, n);
                if (out.size() > MtaStsPolicy.MAX_BYTES) {
                    throw tooLarge();
                }
            }
            return out.toByteArray();
        }

        private byte[] chunkedBody() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int[] budget = {MAX_HEADER_BYTES};
            while (true) {
                String sizeLine = line(budget).split(";", 2)[0].trim();
                long size;
                try {
                    size = Long.parseLong(sizeLine, 16);
                } catch (NumberFormatException e) {
                    throw new PolicyHostRefusal(url + ": bad chunk size");
                }
                if (size < 0 || out.size() + size > MtaStsPolicy.MAX_BYTES) {
                    throw tooLarge();
                }
                if (size == 0) {
                    while (!line(budget).isEmpty()) {
                        // trailer fields, ignored
                    }
                    return out.toByteArray();
                }
                out.write(body(size));
                if (!line(budget).isEmpty()) {
                    throw new PolicyHostRefusal(url + ": chunk not followed by CRLF");
                }
            }
        }

        /** One header line without its CRLF (or bare LF), charged against {@code budget}. */
        private String line(int[] budget) throws IOException {
            StringBuilder line = new StringBuilder();
            byte[] one = new byte[1];
            while (true) {
                if (read(one, 1) < 0) {
                    throw new IOException(url + ": connection closed in the headers");
                }
                if (--budget[0] < 0) {
                    throw new PolicyHostRefusal(url + ": headers longer than " + MAX_HEADER_BYTES + " bytes");
                }
                char c = (char) (one[0] & 0xff);
                if (c == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                line.append(c);
            }
        }

        private int read(byte[] buf, int len) throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            return in.read(buf, 0, len);
        }
    }
}
