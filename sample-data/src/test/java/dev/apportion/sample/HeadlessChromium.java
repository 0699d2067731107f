package dev.apportion.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Debian's headless Chromium driven over the Chrome DevTools Protocol (a WebSocket, java.net.http), for report
 * tests: open a file with the network disabled, collect console errors and uncaught exceptions, evaluate
 * JavaScript, take a full-page screenshot.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    private HeadlessChromium(Process process, WebSocket socket) {
        this.process = process;
        this.socket = socket;
    }

    /** The Chromium executable on the PATH, or null (the test is then skipped). */
    static Path find() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
                Path candidate = Path.of(directory, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    static HeadlessChromium start(Path executable, Path profile) throws Exception {
        Process process = new ProcessBuilder(executable.toString(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolveSibling("chromium.log").toFile()).start();
        Path activePort = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(activePort) || Files.readAllLines(activePort).size() < 2) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                process.destroyForcibly();
                throw new IllegalStateException("Chromium did not open its DevTools port; see " + profile.resolveSibling("chromium.log"));
            }
            Thread.sleep(50);
        }
        int port = Integer.parseInt(Files.readAllLines(activePort).get(0).strip());
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String page = null;
        for (JsonNode target : targets) {
            if (target.path("type").asString().equals("page")) {
                page = target.path("webSocketDebuggerUrl").asString();
            }
        }
        if (page == null) {
            process.destroyForcibly();
            throw new IllegalStateException("Chromium has no page target: " + targets);
        }
        HeadlessChromium[] self = new HeadlessChromium[1];
        StringBuilder partial = new StringBuilder();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(page), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String message = partial.toString();
                    partial.setLength(0);
                    self[0].receive(message);
                }
                webSocket.request(1);
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        self[0] = new HeadlessChromium(process, socket);
        return self[0];
    }

    private void receive(String message) {
        JsonNode node = JSON.readTree(message);
        if (node.has("id")) {
            CompletableFuture<JsonNode> future = pending.remove(node.path("id").asInt());
            if (future != null) {
                future.complete(node);
            }
            return;
        }
        events.add(node);
        String method = node.path("method").asString();
        JsonNode params = node.path("params");
        if (method.equals("Runtime.exceptionThrown")) {
            errors.add("exception: " + params.path("exceptionDetails").toString());
        } else if (method.equals("Runtime.consoleAPICalled") && params.path("type").asString().equals("error")) {
            errors.add("console.error: " + params.path("args").toString());
        } else if (method.equals("Log.entryAdded") && params.path("entry").path("level").asString().equals("error")) {
            errors.add("log: " + params.path("entry").path("text").asString() + " " + params.path("entry").path("url").asString());
        }
    }

    JsonNode send(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        pending.put(id, future);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params == null ? JSON.createObjectNode() : params);
        socket.sendText(message.toString(), true).get(30, TimeUnit.SECONDS);
        JsonNode response = future.get(60, TimeUnit.SECONDS);
        if (response.has("error")) {
            throw new IllegalStateException(method + " failed: " + response.path("error"));
        }
        return response.path("result");
    }

    /** Opens {@code file} offline and waits for its load event. */
    void openOffline(Path file) throws Exception {
        for (String domain : List.of("Runtime.enable", "Log.enable", "Page.enable", "Network.enable")) {
            send(domain, null);
        }
        send("Network.emulateNetworkConditions", JSON.createObjectNode().put("offline", true).put("latency", 0)
                .put("downloadThroughput", 0).put("uploadThroughput", 0));
        send("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", 1400).put("height", 1000)
                .put("deviceScaleFactor", 1).put("mobile", false));
        int seen = events.size();
        send("Page.navigate", JSON.createObjectNode().put("url", file.toUri().toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // A stream of the list itself iterates a snapshot; a subList would be invalidated by an event arriving meanwhile.
        while (events.stream().skip(seen).noneMatch(event -> event.path("method").asString().equals("Page.loadEventFired"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the page did not load within 60 s");
            }
            Thread.sleep(50);
        }
    }

    /** The value of a JavaScript expression (JSON-serialisable). */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode result = send("Runtime.evaluate", JSON.createObjectNode().put("expression", expression).put("returnByValue", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("evaluation failed: " + result.path("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** A PNG of the whole page. */
    void screenshot(Path target) throws Exception {
        JsonNode metrics = send("Page.getLayoutMetrics", null);
        int height = (int) Math.ceil(metrics.path("cssContentSize").path("height").asDouble(1000));
        send("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", 1400).put("height", Math.min(height, 16000))
                .put("deviceScaleFactor", 1).put("mobile", false));
        JsonNode shot = send("Page.captureScreenshot", JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true));
        Files.createDirectories(target.getParent());
        Files.write(target, Base64.getDecoder().decode(shot.path("data").asString()));
    }

    /** Console errors, uncaught exceptions and error log entries seen so far. */
    List<String> errors() {
        return new ArrayList<>(errors);
    }

    @Override
    public void close() throws IOException {
        socket.abort();
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
