package io.creditproxy.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Requests written byte by byte on a socket, for what a well-behaved client library refuses to send: raw paths,
 * absolute-form targets, invalid UTF-8, huge headers. Each request closes its connection.
 */
public final class RawHttp {

    public record Answer(int status, String head, String body) {
        public String all() {
            return head + "\r\n\r\n" + body;
        }
    }

    private RawHttp() {
    }

    public static Answer send(int port, String method, String target, String headers, byte[] body) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Connection: close\r\n");
            if (headers != null && !headers.isEmpty()) {
                head.append(headers);
                if (!headers.endsWith("\r\n")) {
                    head.append("\r\n");
                }
            }
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            // ISO-8859-1 keeps every char below 256 as that very byte (raw bytes in a path or header)
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            try {
                if (body != null) {
                    out.write(body);
                }
                out.flush();
            } catch (IOException refusedEarly) {
                // the server may answer (413, 431) and close before reading everything
            }
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new IllegalStateException("raw request " + method + " " + shorten(target) + " failed", e);
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                all.write(buffer, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // a reset after the answer was written: keep what arrived
        }
        String text = all.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        String head = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end + 4);
        int status = -1;
        if (head.startsWith("HTTP/1.")) {
            status = Integer.parseInt(head.substring(9, 12));
        }
        return new Answer(status, head, body);
    }

    static String shorten(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "...(" + s.length() + " chars)" : s;
    }
}
