package io.sealmail.operator.api.v1alpha1;

/** Where clients connect: the Service's DNS name and the standard port of one protocol. */
public class Endpoint {
    public String protocol;
    public Integer port;
    public String host;

    public Endpoint() {
    }

    public Endpoint(String protocol, Integer port, String host) {
        this.protocol = protocol;
        this.port = port;
        this.host = host;
    }
}
