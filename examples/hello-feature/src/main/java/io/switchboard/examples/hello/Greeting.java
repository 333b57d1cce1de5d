package io.switchboard.examples.hello;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The greeting word this build ships in hello.properties. */
final class Greeting {
    private Greeting() {}

    static String load() {
        Properties p = new Properties();
        try (InputStream in = Greeting.class.getResourceAsStream("/hello.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("greeting", "hello");
    }
}
