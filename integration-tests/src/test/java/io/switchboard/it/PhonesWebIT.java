package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * SIP phones in the web client over the real runtime (docs/sip-devices.md), with the scenarios of
 * bundles/webclient/src/test/e2e/phones.mjs in Debian's headless Chromium: a person adds "Desk phone" and
 * reads its credentials from the dialog; SIPp, a real SIP user agent, registers with them at the runtime's
 * SIP port, and the open page shows "Registered until" within 10 s, then "Not registered" once it
 * un-registers; a blank name and the 11th phone get readable refusals; a phone is deleted; after a reload
 * the list is the API's; only the answer that made a phone holds its password. A business finds the
 * screen beside Telephony on a phone-sized screen. Then the API must hold what the browsers did.
 */
class PhonesWebIT {
    private static final Path SIPP = Path.of("/usr/bin/sipp");
    private static final Pattern PHONE = Pattern.compile("(?m)^phone (.+): (\\S+)$");
    private static final Pattern SHOWN_AFTER = Pattern.compile("(?m)^registered shown after (\\d+) ms$");

    @Test
    void aPersonAddsAPhoneInTheBrowserThatARealSipPhoneRegistersWith() throws Exception {
        if (!Files.isExecutable(SIPP)) fail(SIPP + " is missing: install Debian's sip-tester (.ci/run does)");
        try (Switchboard sb = Switchboard.start(Switchboard.workDir("phones-web"))) {
            Api api = sb.api();
            String ann = api.signUp("ann", "person", "Ann Archer");
            String acme = api.signUp("acme", "business", "Acme Ltd");
            BrowserScenarios.Outcome run = BrowserScenarios.runScript("phones", List.of("phones.mjs", "sip-phone.xml"), 5,
                    "http://127.0.0.1:" + sb.port(), "ann", "acme");
            String output = run.output();
            assertTrue(output.contains("api answers checked: "), output);
            Matcher shownAfter = SHOWN_AFTER.matcher(output);
            assertTrue(shownAfter.find() && Long.parseLong(shownAfter.group(1)) <= 10_000, output);
            run.assertScreenshots("phone-credentials", "phone-registered", "phone-not-registered", "phones-limit",
                    "phones-after-reload", "phone-layout-phones", "phone-layout-credentials");
            Map<String, String> usernames = new LinkedHashMap<>();
            Matcher m = PHONE.matcher(output);
            while (m.find()) usernames.put(m.group(1), m.group(2));

            // Ann's phones: Desk phone and Phone 2 to 9 (Phone 10 was deleted, Phone 11 refused), none registered now.
            List<String> expected = new ArrayList<>(List.of("Desk phone"));
            IntStream.rangeClosed(2, 9).forEach(n -> expected.add("Phone " + n));
            Api.Reply anns = api.get("/api/v1/sip-devices", ann);
            assertEquals(expected, names(anns));
            assertEquals(List.of("Reception"), names(api.get("/api/v1/sip-devices", acme)));
            for (JsonNode d : anns.json().path("devices")) {
                // The registrar the page showed (and SIPp registered at) is the runtime's SIP port.
                assertEquals("sip:127.0.0.1:" + sb.sipPort(), d.path("registrar").asText(), d.toString());
                assertEquals(usernames.get(d.path("name").asText()), d.path("username").asText(), d.toString());
                assertFalse(d.path("registered").asBoolean(), d.toString());
                assertFalse(d.has("password"), d.toString());
            }
            // The tenth place is free again; an eleventh phone is still refused, a blank name too.
            Api.Reply tenth = api.post("/api/v1/sip-devices", ann, Api.obj("name", "Phone 10"));
            assertEquals(201, tenth.status(), tenth.toString());
            assertEquals("too_many_devices", api.post("/api/v1/sip-devices", ann, Api.obj("name", "Phone 11")).errorCode());
            assertEquals("invalid_name", api.post("/api/v1/sip-devices", acme, Api.obj("name", " ")).errorCode());
        }
    }

    private static List<String> names(Api.Reply devices) {
        assertEquals(200, devices.status(), devices.toString());
        List<String> names = new ArrayList<>();
        devices.json().path("devices").forEach(d -> names.add(d.path("name").asText()));
        return names;
    }
}
