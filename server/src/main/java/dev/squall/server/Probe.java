package dev.squall.server;
final class Probe {
    static io.helidon.webserver.WebServer server() {
        return io.helidon.webserver.WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.get("/health", (req, res) -> res.send("ok"))).build();
    }
}
