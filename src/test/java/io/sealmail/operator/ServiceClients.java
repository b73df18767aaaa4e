package io.sealmail.operator;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Angus Mail clients as a pod in the cluster would configure them: the Service's DNS name and standard port, TLS
 * trusting only the given CA with the server identity checked (Angus's own check and the JDK's, see {@link CaTrust}),
 * reaching the Service through {@link ServiceProxy}.
 */
final class ServiceClients {
    private final String host;
    private final int proxyPort;

    ServiceClients(String host, int proxyPort) {
        this.host = host;
        this.proxyPort = proxyPort;
    }

    Session session(String protocol, int port, CaTrust trust) {
        return session(host, protocol, port, trust);
    }

    Session session(String host, String protocol, int port, CaTrust trust) {
        String p = "mail." + protocol;
        Properties props = new Properties();
        props.put(p + ".host", host);
        props.put(p + ".port", Integer.toString(port));
        props.put(p + ".proxy.host", "127.0.0.1");
        props.put(p + ".proxy.port", Integer.toString(proxyPort));
        props.put(p + ".ssl.socketFactory", trust.socketFactory());
        props.put(p + ".ssl.checkserveridentity", "true");
        props.put(p + ".connectiontimeout", "10000");
        props.put(p + ".timeout", "30000");
        switch (protocol) {
            case "smtp" -> {
                // Port 587: STARTTLS before anything else, never a plaintext AUTH.
                props.put(p + ".starttls.enable", "true");
                props.put(p + ".starttls.required", "true");
                props.put(p + ".auth", "true");
            }
            case "smtps" -> {
                props.put(p + ".ssl.enable", "true");
                props.put(p + ".auth", "true");
            }
            case "imap", "pop3" -> {
                props.put(p + ".starttls.enable", "true");
                props.put(p + ".starttls.required", "true");
            }
            default -> props.put(p + ".ssl.enable", "true");
        }
        return Session.getInstance(props);
    }

    Transport submission(String protocol, int port, CaTrust trust, String user, String password) throws MessagingException {
        Session session = session(protocol, port, trust);
        Transport transport = session.getTransport(protocol);
        transport.connect(host, port, user, password);
        return transport;
    }

    static void send(Transport transport, String from, String to, String subject) throws MessagingException {
        MimeMessage message = new MimeMessage((Session) null);
        message.setFrom(new InternetAddress(from));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText("sent through the Service by the end-to-end test\r\n");
        message.saveChanges();
        transport.sendMessage(message, message.getAllRecipients());
    }

    Store store(String protocol, int port, CaTrust trust, String user, String password) throws MessagingException {
        Store store = session(protocol, port, trust).getStore(protocol);
        store.connect(host, port, user, password);
        return store;
    }

    static List<String> subjects(Folder folder) throws MessagingException {
        List<String> subjects = new ArrayList<>();
        for (Message m : folder.getMessages()) {
            subjects.add(m.getSubject());
        }
        return subjects;
    }
}
