package io.switchboard.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 over a bare socket, for requests the JDK client will not send as we need them. */
final class RawHttp {
    private RawHttp() {}

    /**
     * POSTs the body with chunked transfer encoding (no Content-Length) and returns the whole
     * response as text. Stops writing as soon as the server stops reading.
     */
    static String postChunked(int port, String path, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            try {
                int chunk = 16 * 1024;
                for (int off = 0; off < body.length; off += chunk) {
                    int n = Math.min(chunk, body.length - off);
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, off, n);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException serverStoppedReading) {
                // expected once the server has answered
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                int r;
                while ((r = in.read(buf)) > 0) response.write(buf, 0, r);
            } catch (IOException reset) {
                // a reset after the answer still leaves the answer read
            }
            return response.toString(StandardCharsets.UTF_8);
        }
    }
}
