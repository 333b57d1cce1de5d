package io.switchboard.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptionalProcessorRequirementTest {
    private static final String SERVICE = "osgi.serviceloader;filter:=\"(osgi.serviceloader=a.B)\";resolution:=optional;cardinality:=multiple";
    private static final String CONTRACT = "osgi.contract;filter:=\"(&(osgi.contract=JavaServlet)(version=4.0))\"";
    private static final String REGISTRAR = "osgi.extender;filter:=\"(osgi.extender=osgi.serviceloader.registrar)\";resolution:=optional";
    private static final String PROCESSOR = "osgi.extender;filter:=\"(osgi.extender=osgi.serviceloader.processor)\";resolution:=optional";

    @TempDir Path dir;

    @Test
    void dropsOnlyTheOptionalProcessorClauseAndKeepsEveryEntry() throws IOException {
        Path jar = bundle(String.join(",", CONTRACT, REGISTRAR, PROCESSOR, SERVICE));

        assertTrue(OptionalProcessorRequirement.strip(jar));

        try (JarFile edited = new JarFile(jar.toFile())) {
            Attributes main = edited.getManifest().getMainAttributes();
            assertEquals(List.of(CONTRACT, REGISTRAR, SERVICE),
                    OptionalProcessorRequirement.clauses(main.getValue("Require-Capability")));
            assertEquals(OptionalProcessorRequirement.MARKER_VALUE, main.getValue(OptionalProcessorRequirement.MARKER));
            assertEquals("a.bundle", main.getValue("Bundle-SymbolicName"));
            assertArrayEquals("class bytes".getBytes(StandardCharsets.UTF_8),
                    edited.getInputStream(edited.getEntry("a/B.class")).readAllBytes());
            assertArrayEquals("a.C".getBytes(StandardCharsets.UTF_8),
                    edited.getInputStream(edited.getEntry("META-INF/services/a.B")).readAllBytes());
        }
        assertFalse(OptionalProcessorRequirement.strip(jar), "a second run finds nothing to do");
    }

    @Test
    void leavesABundleWithoutTheRequirementByteForByte() throws IOException {
        Path jar = bundle(String.join(",", CONTRACT, SERVICE));
        byte[] before = Files.readAllBytes(jar);

        assertFalse(OptionalProcessorRequirement.strip(jar));
        assertArrayEquals(before, Files.readAllBytes(jar));
    }

    @Test
    void refusesToDropAMandatoryProcessorRequirement() throws IOException {
        Path jar = bundle(String.join(",", CONTRACT, PROCESSOR.replace(";resolution:=optional", "")));
        byte[] before = Files.readAllBytes(jar);

        assertThrows(IllegalStateException.class, () -> OptionalProcessorRequirement.strip(jar));
        assertArrayEquals(before, Files.readAllBytes(jar));
    }

    @Test
    void splitsClausesAtCommasOutsideQuotesOnly() {
        assertEquals(List.of("a;f:=\"(|(x=1)(y=2))\";v=\"1,2\"", "b"),
                OptionalProcessorRequirement.clauses("a;f:=\"(|(x=1)(y=2))\";v=\"1,2\", b"));
    }

    private Path bundle(String requireCapability) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-SymbolicName", "a.bundle");
        m.getMainAttributes().putValue("Require-Capability", requireCapability);
        Path jar = dir.resolve("a.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new JarEntry("a/B.class"));
            j.write("class bytes".getBytes(StandardCharsets.UTF_8));
            j.putNextEntry(new JarEntry("META-INF/services/a.B"));
            j.write("a.C".getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }
}
