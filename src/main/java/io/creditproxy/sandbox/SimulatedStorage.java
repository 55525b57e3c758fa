package io.creditproxy.sandbox;

import static io.creditproxy.sandbox.SimulatorHttp.detail;
import static io.creditproxy.sandbox.SimulatorHttp.json;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * fal's storage as {@code @fal-ai/client} 1.10.1 uses it (storage.js): {@code POST /storage/upload/initiate} and
 * {@code /storage/upload/initiate-multipart} (with a key; body {@code {content_type, file_name}}; answer
 * {@code {upload_url, file_url}}); a {@code PUT} of the bytes to {@code upload_url} (pre-signed: no key); for multipart,
 * {@code PUT {upload_url path}/{n}} per part (answer {@code {partNumber, etag}}) and {@code POST {path}/complete} with
 * the parts; and the file served back at {@code file_url} to anyone (fal's CDN is public). Everything is kept in memory,
 * bounded by {@link #MAX_STORED_BYTES}: the oldest files go first.
 */
final class SimulatedStorage {

    static final String INITIATE = "/storage/upload/initiate";
    static final String INITIATE_MULTIPART = "/storage/upload/initiate-multipart";
    static final String PUT_PREFIX = "/storage/upload/put/";
    static final String MULTIPART_PREFIX = "/storage/upload/multipart/";
    static final String FILES_PREFIX = "/storage/files/";
    /** Every byte kept, pending parts included; also the largest single file. */
    static final long MAX_STORED_BYTES = 64L * 1024 * 1024;
    private static final int MAX_PENDING = 10_000;
    private static final int MAX_RECEIVED = 1_000;

    private record Pending(String token, String contentType, String fileName, boolean multipart,
                           Map<Integer, Buffer> parts, Instant at, boolean failing) {
    }

    /** In a file name: the upload's PUTs and completion fail (503), as when fal's storage has trouble. */
    static final String FAIL_MARKER = "[sandbox:upload-fail]";

    record StoredFile(String contentType, Buffer bytes) {
    }

    private final Supplier<String> baseUrl;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, StoredFile> files = new LinkedHashMap<>();
    private final List<ReceivedSubmit> received = new CopyOnWriteArrayList<>();
    private long storedBytes;

    SimulatedStorage(Supplier<String> baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** True when the path is one of the storage's that need no key (uploads to pre-signed URLs, files). */
    static boolean isPublic(String path) {
        return path.startsWith(PUT_PREFIX) || path.startsWith(MULTIPART_PREFIX) || path.startsWith(FILES_PREFIX);
    }

    static boolean isInitiate(String path) {
        return INITIATE.equals(path) || INITIATE_MULTIPART.equals(path);
    }

    /** An initiation (the caller checked the key). */
    void initiate(HttpServerRequest req, String path) {
        if (req.method() != HttpMethod.POST) {
            detail(req.response(), 405, "Method Not Allowed");
            return;
        }
        req.body().onSuccess(body -> {
            remember(req, body);
            JsonObject input;
            try {
                input = body.length() == 0 ? new JsonObject() : body.toJsonObject();
            } catch (RuntimeException e) {
                detail(req.response(), 422, "The body must be a JSON object.");
                return;
            }
            String contentType = input.getValue("content_type") instanceof String s ? s : null;
            String fileName = input.getValue("file_name") instanceof String s ? s : null;
            if (contentType == null || fileName == null) {
                detail(req.response(), 422, "content_type and file_name are required.");
                return;
            }
            if (pending.size() >= MAX_PENDING) {
                pending.keySet().stream().findFirst().ifPresent(pending::remove);
            }
            boolean multipart = INITIATE_MULTIPART.equals(path);
            String id = hex(16);
            String token = hex(16);
            String name = safeName(fileName);
            pending.put(id, new Pending(token, contentType, name, multipart, new ConcurrentHashMap<>(), Instant.now(),
                    fileName.contains(FAIL_MARKER)));
            String base = baseUrl.get();
            String uploadUrl = base + (multipart ? MULTIPART_PREFIX : PUT_PREFIX) + id + "?token=" + token;
            json(req.response(), 200, new JsonObject().put("upload_url", uploadUrl)
                    .put("file_url", base + FILES_PREFIX + id + "/" + name).encode());
        }).onFailure(e -> detail(req.response(), 400, "Could not read the request body"));
    }

    /** Uploads to pre-signed URLs and file downloads. */
    void handlePublic(HttpServerRequest req, String path) {
        if (path.startsWith(FILES_PREFIX)) {
            serveFile(req, path.substring(FILES_PREFIX.length()));
        } else if (path.startsWith(PUT_PREFIX)) {
            putSingle(req, path.substring(PUT_PREFIX.length()));
        } else {
            multipart(req, path.substring(MULTIPART_PREFIX.length()));
        }
    }

    private void putSingle(HttpServerRequest req, String id) {
        Pending p = pending.get(id);
        if (req.method() != HttpMethod.PUT) {
            detail(req.response(), 405, "Method Not Allowed");
        } else if (p == null || p.multipart() || !p.token().equals(req.getParam("token"))) {
            detail(req.response(), 403, "Invalid or expired upload URL");
        } else if (p.failing()) {
            req.body().onComplete(ignored -> detail(req.response(), 503, "Simulated storage failure"));
        } else {
            readBounded(req).onSuccess(bytes -> {
                if (bytes == null) {
                    return;
                }
                pending.remove(id);
                store(id + "/" + p.fileName(), new StoredFile(contentType(req, p), bytes));
                json(req.response(), 200, "{}");
            });
        }
    }

    /** {@code {id}/{part}} (PUT) or {@code {id}/complete} (POST). */
    private void multipart(HttpServerRequest req, String rest) {
        String[] parts = rest.split("/");
        Pending p = parts.length == 2 ? pending.get(parts[0]) : null;
        if (p == null || !p.multipart() || !p.token().equals(req.getParam("token"))) {
            detail(req.response(), 403, "Invalid or expired upload URL");
            return;
        }
        if (p.failing()) {
            req.body().onComplete(ignored -> detail(req.response(), 503, "Simulated storage failure"));
            return;
        }
        if ("complete".equals(parts[1]) && req.method() == HttpMethod.POST) {
            req.body().onSuccess(body -> complete(req, parts[0], p, body));
            return;
        }
        int number;
        try {
            number = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            number = 0;
        }
        if (req.method() != HttpMethod.PUT || number < 1 || number > 10_000) {
            detail(req.response(), 404, "Not Found");
            return;
        }
        int partNumber = number;
        readBounded(req).onSuccess(bytes -> {
            if (bytes == null) {
                return;
            }
            p.parts().put(partNumber, bytes);
            json(req.response(), 200, new JsonObject().put("partNumber", partNumber).put("etag", etag(bytes)).encode());
        });
    }

    private void complete(HttpServerRequest req, String id, Pending p, Buffer body) {
        JsonArray listed;
        try {
            listed = body.toJsonObject().getJsonArray("parts");
        } catch (RuntimeException e) {
            listed = null;
        }
        if (listed == null || listed.isEmpty()) {
            detail(req.response(), 422, "parts is required.");
            return;
        }
        Buffer whole = Buffer.buffer();
        for (Object o : listed) {
            JsonObject part = o instanceof JsonObject j ? j : new JsonObject();
            Buffer bytes = part.getValue("partNumber") instanceof Number n ? p.parts().get(n.intValue()) : null;
            if (bytes == null || !etag(bytes).equals(part.getValue("etag"))) {
                detail(req.response(), 422, "Unknown part or etag mismatch.");
                return;
            }
            whole.appendBuffer(bytes);
        }
        pending.remove(id);
        store(id + "/" + p.fileName(), new StoredFile(p.contentType(), whole));
        json(req.response(), 200, "{}");
    }

    private void serveFile(HttpServerRequest req, String key) {
        StoredFile file;
        synchronized (files) {
            file = files.get(key);
        }
        if (req.method() != HttpMethod.GET) {
            detail(req.response(), 405, "Method Not Allowed");
        } else if (file == null) {
            detail(req.response(), 404, "Not Found");
        } else {
            req.response().putHeader(HttpHeaders.CONTENT_TYPE, file.contentType()).end(file.bytes());
        }
    }

    /** The body, or null after answering 413 when it is larger than the store could ever hold. */
    private io.vertx.core.Future<Buffer> readBounded(HttpServerRequest req) {
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && parse(length) > MAX_STORED_BYTES) {
            detail(req.response(), 413, "File too large");
            return io.vertx.core.Future.succeededFuture(null);
        }
        io.vertx.core.Promise<Buffer> done = io.vertx.core.Promise.promise();
        Buffer body = Buffer.buffer();
        req.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_STORED_BYTES) {
                req.handler(null);
                if (!req.response().ended()) {
                    detail(req.response(), 413, "File too large");
                }
                done.tryComplete(null);
                return;
            }
            body.appendBuffer(chunk);
        });
        req.endHandler(v -> done.tryComplete(req.response().ended() ? null : body));
        req.exceptionHandler(e -> done.tryComplete(null));
        return done.future();
    }

    private void store(String key, StoredFile file) {
        synchronized (files) {
            StoredFile old = files.put(key, file);
            storedBytes += file.bytes().length() - (old == null ? 0 : old.bytes().length());
            Iterator<Map.Entry<String, StoredFile>> oldest = files.entrySet().iterator();
            while (storedBytes > MAX_STORED_BYTES && oldest.hasNext()) {
                Map.Entry<String, StoredFile> e = oldest.next();
                if (e.getKey().equals(key)) {
                    continue;
                }
                storedBytes -= e.getValue().bytes().length();
                oldest.remove();
            }
        }
    }

    private void remember(HttpServerRequest req, Buffer body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        req.headers().forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(h.getValue()));
        if (received.size() >= MAX_RECEIVED) {
            received.remove(0);
        }
        received.add(new ReceivedSubmit(null, req.method().name(), req.path(), req.query(), headers,
                body.toString(), 200, Instant.now()));
    }

    /** The last {@code n} initiations received, newest first. */
    List<ReceivedSubmit> lastInitiations(int n) {
        List<ReceivedSubmit> all = new ArrayList<>(received);
        List<ReceivedSubmit> out = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && out.size() < n; i--) {
            out.add(all.get(i));
        }
        return out;
    }

    /** A stored file by the path after {@code /storage/files/} ({@code {id}/{name}}). */
    Optional<StoredFile> file(String key) {
        synchronized (files) {
            return Optional.ofNullable(files.get(key));
        }
    }

    void reset() {
        pending.clear();
        received.clear();
        synchronized (files) {
            files.clear();
            storedBytes = 0;
        }
    }

    private static String contentType(HttpServerRequest req, Pending p) {
        String header = req.getHeader(HttpHeaders.CONTENT_TYPE);
        return header != null ? header : p.contentType();
    }

    /** A file name as one URL path segment. */
    static String safeName(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (cleaned.isEmpty() || !Character.isLetterOrDigit(cleaned.charAt(0))) {
            cleaned = "f" + cleaned;
        }
        return cleaned.length() > 100 ? cleaned.substring(0, 100) : cleaned;
    }

    private String hex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String etag(Buffer bytes) {
        try {
            return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes.getBytes())) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
