package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** The built examples/hello-feature jar, and changed builds of it (another greeting, a newer version). */
final class HelloJar {
    private HelloJar() {}

    static Path built() {
        Path jar = Path.of(System.getProperty("hello.jar", "../examples/hello-feature/target/hello-feature-0.1.0-SNAPSHOT.jar"));
        if (!Files.isRegularFile(jar)) fail("The example bundle is not built: " + jar);
        return jar;
    }

    /** A copy of the built jar whose hello.properties says {@code greeting=<greeting>}, with a higher version. */
    static Path rebuiltWith(String greeting, Path target) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(built()))) {
            Manifest manifest = new Manifest(in.getManifest());
            Attributes main = manifest.getMainAttributes();
            main.putValue("Bundle-Version", "0.1.1." + greeting);
            main.putValue("Bnd-LastModified", Long.toString(System.currentTimeMillis()));
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            try (OutputStream os = Files.newOutputStream(tmp); JarOutputStream out = new JarOutputStream(os, manifest)) {
                JarEntry e;
                while ((e = in.getNextJarEntry()) != null) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    if (e.getName().equals("hello.properties")) {
                        out.write(("greeting=" + greeting + "\n").getBytes(StandardCharsets.ISO_8859_1));
                    } else {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
            // Replace in one step so the deploy watcher never sees half a jar.
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return target;
        }
    }

    static byte[] bytes() throws IOException {
        try (InputStream in = Files.newInputStream(built())) {
            return in.readAllBytes();
        }
    }
}
