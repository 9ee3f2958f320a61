package io.clusterpeering.local;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Serves the Peers page, the static files of the repository's {@code ui/} folder, at {@code /ui/} for the local
 * runtime, and redirects {@code /} there. In AWS the same files come from S3 through CloudFront; they are never
 * inside the Lambda jar.
 *
 * <p>Only the page itself is served: {@code ui/index.html}, {@code ui/favicon.svg} and what is under
 * {@code ui/css/} and {@code ui/js/}; the rest of {@code ui/} (the browser tests, their {@code node_modules},
 * the screenshots) is test tooling and answers 404. A path under {@code /ui/} without a file extension is one of
 * the page's own routes ({@code /ui/dc1/peers/cluster-02/imported-services}) and answers {@code index.html}, so
 * deep links work. Files are read on every request (no cache), so an edited file shows on reload.
 */
final class LocalUi {
    private static final Logger LOG = LoggerFactory.getLogger(LocalUi.class);
    /** The top-level entries of {@code ui/} that make up the page; the CDK stack deploys the same ones. */
    static final Set<String> PAGE_ENTRIES = Set.of("index.html", "favicon.svg", "css", "js");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png");
    /** The page loads nothing from elsewhere: no CDN, no external font, no inline script or style. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    private final Path root;

    private LocalUi(Path root) {
        this.root = root;
    }

    /**
     * Finds the {@code ui/} folder: the configured one ({@code peering.ui-dir}, environment {@code PEERING_UI_DIR})
     * if given, else {@code ui/} beside the working directory or one of its parents (so both the repository root,
     * as {@code mvn -pl functions exec:java} runs, and {@code functions/}, as the tests run, work), else the one
     * beside the compiled classes ({@code functions/target/classes}). A folder counts only if it holds
     * {@code index.html}.
     *
     * @param configured the configured folder, or empty
     * @return the page's server; {@link #root()} is empty when no folder was found (the page then answers 404)
     */
    static LocalUi locate(Optional<String> configured) {
        List<Path> candidates = new ArrayList<>();
        if (configured.isPresent() && !configured.get().isBlank()) {
            candidates.add(Path.of(configured.get()));
        } else {
            Path dir = Path.of("").toAbsolutePath();
            for (int up = 0; up < 3 && dir != null; up++, dir = dir.getParent()) {
                candidates.add(dir.resolve("ui"));
            }
            // functions/target/classes -> functions -> the repository's root
            classesFolder().map(Path::getParent).map(Path::getParent).map(Path::getParent)
                    .ifPresent(repository -> candidates.add(repository.resolve("ui")));
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate.resolve("index.html"))) {
                Path found = candidate.toAbsolutePath().normalize();
                LOG.info("the Peers page is served at /ui/ from {}", found);
                return new LocalUi(found);
            }
        }
        LOG.warn("no ui/ folder with index.html found (looked in {}); set PEERING_UI_DIR to serve the Peers page", candidates);
        return new LocalUi(null);
    }

    /** The folder served, if one was found. */
    Optional<Path> root() {
        return Optional.ofNullable(root);
    }

    /**
     * The answer for a GET or HEAD of {@code path}, or empty when the path is not the page's (an API path).
     * {@code /} is a 302 to {@code /ui/}; {@code /ui} a 301 to {@code /ui/}; a file of the page is a 200 with its
     * content type; anything else under {@code /ui/} with an extension is a 404.
     *
     * @param path the request's path, without the query string
     */
    Optional<MutableHttpResponse<?>> answer(String path) {
        if (path.equals("/")) {
            return Optional.of(HttpResponse.status(io.micronaut.http.HttpStatus.FOUND).header("Location", "/ui/"));
        }
        if (path.equals("/ui")) {
            return Optional.of(HttpResponse.status(io.micronaut.http.HttpStatus.MOVED_PERMANENTLY).header("Location", "/ui/"));
        }
        if (!path.startsWith("/ui/")) {
            return Optional.empty();
        }
        if (root == null) {
            return Optional.of(notFound("The Peers page is not available: no ui/ folder was found (set PEERING_UI_DIR)."));
        }
        String relative = path.substring("/ui/".length());
        Optional<Path> file = pageFile(relative);
        if (file.isPresent()) {
            return Optional.of(file(file.get()));
        }
        String last = relative.substring(relative.lastIndexOf('/') + 1);
        if (!last.contains(".")) {
            return Optional.of(file(root.resolve("index.html")));
        }
        return Optional.of(notFound("Not found: " + path));
    }

    /** The file of the page at a path relative to {@code ui/}, if it is one (never outside the page's entries). */
    private Optional<Path> pageFile(String relative) {
        String[] segments = relative.split("/", -1);
        if (relative.isEmpty()) {
            return Optional.of(root.resolve("index.html"));
        }
        if (!PAGE_ENTRIES.contains(segments[0])) {
            return Optional.empty();
        }
        for (String segment : segments) {
            if (segment.isEmpty() || segment.startsWith(".")) {
                return Optional.empty();
            }
        }
        Path file = root.resolve(relative).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file) || contentType(file) == null) {
            return Optional.empty();
        }
        return Optional.of(file);
    }

    private static MutableHttpResponse<?> file(Path file) {
        byte[] body;
        try {
            body = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MutableHttpResponse<byte[]> response = HttpResponse.ok(body)
                .header("Content-Type", contentType(file))
                .header("Cache-Control", "no-cache")
                .header("X-Content-Type-Options", "nosniff");
        if (file.getFileName().toString().endsWith(".html")) {
            response.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                    .header("Referrer-Policy", "no-referrer");
        }
        return response;
    }

    private static MutableHttpResponse<?> notFound(String message) {
        return HttpResponse.notFound(message.getBytes(StandardCharsets.UTF_8))
                .header("Content-Type", "text/plain; charset=utf-8");
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : CONTENT_TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static Optional<Path> classesFolder() {
        try {
            var source = LocalUi.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
