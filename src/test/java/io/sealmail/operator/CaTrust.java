package io.sealmail.operator;

import io.sealmail.ca.Pem;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client's TLS trust that is exactly one CA certificate (the {@code ca.crt} a Secret publishes), with the JDK's
 * own PKIX validation and RFC 2818/6125 host name check switched on for every socket, and a record of the
 * certificate serials it accepted, so a test can tell which certificate each connection got. A TLS 1.3 session
 * resumed from the same instance checks no certificate: use a new instance for "what does a new client see".
 */
final class CaTrust {
    private final List<String> serials = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final SSLSocketFactory factory;

    CaTrust(String caPem) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", Pem.readCertificate(caPem));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(store);
            X509ExtendedTrustManager pkix = (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new Recording(pkix)}, null);
            factory = new HostChecking(context.getSocketFactory());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    SSLSocketFactory socketFactory() {
        return factory;
    }

    /** Serial numbers (hex) of the server certificates accepted so far, in order. */
    List<String> serialsSeen() {
        return List.copyOf(serials);
    }

    /** Why server certificates were refused (Angus Mail may retry a failed handshake and report that instead). */
    List<String> refusals() {
        return List.copyOf(refusals);
    }

    private final class Recording extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager pkix;

        Recording(X509ExtendedTrustManager pkix) {
            this.pkix = pkix;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            try {
                pkix.checkServerTrusted(chain, authType, socket); // chains to the CA, and the name (see HostChecking)
            } catch (CertificateException e) {
                refusals.add(e.getMessage());
                throw e;
            }
            serials.add(chain[0].getSerialNumber().toString(16));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            try {
                pkix.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                refusals.add(e.getMessage());
                throw e;
            }
            serials.add(chain[0].getSerialNumber().toString(16));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("a host name check needs the socket");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }

    /** Every socket checks the server's name (endpoint identification "HTTPS": RFC 2818 rules) and sends SNI. */
    private static final class HostChecking extends SSLSocketFactory {
        private final SSLSocketFactory delegate;

        HostChecking(SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        private static Socket configure(Socket s, String host) {
            SSLSocket ssl = (SSLSocket) s;
            SSLParameters params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            if (host != null && !host.isEmpty() && Character.isLetter(host.charAt(0))) {
                params.setServerNames(List.of(new SNIHostName(host)));
            }
            ssl.setSSLParameters(params);
            return ssl;
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return configure(delegate.createSocket(s, host, port, autoClose), host);
        }

        @Override
        public Socket createSocket() throws IOException {
            return configure(delegate.createSocket(), null);
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return configure(delegate.createSocket(host, port), host);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            return configure(delegate.createSocket(host, port, local, localPort), host);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return configure(delegate.createSocket(host, port), null);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort) throws IOException {
            return configure(delegate.createSocket(address, port, local, localPort), null);
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }
    }
}
