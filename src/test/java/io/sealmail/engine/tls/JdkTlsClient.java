package io.sealmail.engine.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A JDK (SunJSSE) TLS client as a careful mail client is: it trusts only the given CA and checks the server name
 * the way HTTPS does (RFC 6125 / RFC 2818: SAN dNSName or iPAddress), while connecting to 127.0.0.1.
 */
final class JdkTlsClient implements AutoCloseable {
    private final SSLSocket socket;
    private final BufferedReader in;
    private final OutputStream out;

    private JdkTlsClient(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        this.out = socket.getOutputStream();
    }

    /** Connects and completes the handshake (throws SSLHandshakeException when the server is not trusted). */
    static JdkTlsClient connect(int port, String serverName, X509Certificate ca, List<String> protocols,
            List<String> cipherSuites) throws Exception {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        plain.setSoTimeout(10_000);
        return handshake(plain, port, serverName, ca, protocols, cipherSuites);
    }

    static JdkTlsClient connect(int port, String serverName, X509Certificate ca) throws Exception {
        return connect(port, serverName, ca, List.of(), List.of());
    }

    /** Layers TLS over an already connected socket (after STARTTLS). */
    static JdkTlsClient handshake(Socket plain, int port, String serverName, X509Certificate ca, List<String> protocols,
            List<String> cipherSuites) throws Exception {
        SSLSocket socket = (SSLSocket) TestPki.trusting(ca).getSocketFactory().createSocket(plain, serverName, port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!Character.isDigit(serverName.charAt(0))) {
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
        }
        if (!protocols.isEmpty()) {
            parameters.setProtocols(protocols.toArray(String[]::new));
        }
        if (!cipherSuites.isEmpty()) {
            parameters.setCipherSuites(cipherSuites.toArray(String[]::new));
        }
        socket.setSSLParameters(parameters);
        try {
            socket.startHandshake();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new JdkTlsClient(socket);
    }

    String protocol() {
        return socket.getSession().getProtocol();
    }

    String cipherSuite() {
        return socket.getSession().getCipherSuite();
    }

    BigInteger serverSerial() throws IOException {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    /** Sends a line and returns the server's reply line. */
    String exchange(String line) throws IOException {
        send(line);
        return readLine();
    }

    void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    String readLine() throws IOException {
        return in.readLine();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
