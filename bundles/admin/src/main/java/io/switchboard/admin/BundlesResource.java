package io.switchboard.admin;

import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.api.BodyLimit;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/admin/bundles}: the operator's view of the runtime. Every call needs the admin
 * token. The framework itself and this bundle cannot be stopped or removed through it.
 */
@Component(service = BundlesResource.class)
@JakartarsResource
@Path("/api/v1/admin/bundles")
@Produces(MediaType.APPLICATION_JSON)
public class BundlesResource {
    /** Largest bundle jar accepted by upload. */
    static final long MAX_JAR = 64L << 20;
    private static final Logger LOG = LoggerFactory.getLogger(BundlesResource.class);

    private final BundleContext context;
    private final AdminToken token;

    @Activate
    public BundlesResource(BundleContext context) {
        this.context = context;
        this.token = new AdminToken(context.getProperty("switchboard.admin.token"));
    }

    @GET
    public Map<String, Object> list(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        token.require(authorization);
        List<BundleView> bundles = Arrays.stream(context.getBundles()).map(BundleView::of).toList();
        return Map.of("bundles", bundles);
    }

    @GET
    @Path("{id}")
    public BundleView get(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        token.require(authorization);
        return BundleView.of(find(id));
    }

    /** Installs the uploaded jar and starts it (a fragment is only installed). */
    @POST
    @Consumes(MediaType.WILDCARD)
    @BodyLimit(MAX_JAR)
    public Response install(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, InputStream body)
            throws IOException {
        token.require(authorization);
        BufferedInputStream in = new BufferedInputStream(body);
        in.mark((int) Math.min(MAX_JAR, Integer.MAX_VALUE));
        String symbolicName = symbolicName(in);
        in.reset();
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                throw ApiException.conflict("bundle_exists", "Bundle " + symbolicName + " is installed already (id "
                        + b.getBundleId() + "); update it instead.");
            }
        }
        Bundle bundle;
        try {
            bundle = context.installBundle("upload:" + symbolicName, in);
        } catch (BundleException e) {
            throw ApiException.badRequest("invalid_bundle", "The jar could not be installed: " + e.getMessage());
        }
        if (bundle.getHeaders().get("Fragment-Host") == null) {
            try {
                bundle.start();
            } catch (BundleException e) {
                LOG.warn("Uploaded bundle {} did not start", symbolicName, e);
                uninstallQuietly(bundle);
                throw ApiException.badRequest("bundle_start_failed", "The bundle did not start: " + e.getMessage());
            }
        }
        LOG.info("Installed bundle {} {} by upload", symbolicName, bundle.getVersion());
        return Response.status(201).entity(BundleView.of(bundle)).build();
    }

    @POST
    @Path("{id}/start")
    public BundleView start(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        token.require(authorization);
        Bundle b = find(id);
        if (b.getHeaders().get("Fragment-Host") != null) {
            throw ApiException.badRequest("fragment", "A fragment cannot be started.");
        }
        try {
            b.start();
        } catch (BundleException e) {
            throw ApiException.conflict("bundle_start_failed", "The bundle did not start: " + e.getMessage());
        }
        return BundleView.of(b);
    }

    @POST
    @Path("{id}/stop")
    public BundleView stop(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        token.require(authorization);
        Bundle b = findChangeable(id);
        try {
            b.stop();
        } catch (BundleException e) {
            throw ApiException.conflict("bundle_stop_failed", "The bundle did not stop: " + e.getMessage());
        }
        return BundleView.of(b);
    }

    /** Updates from the uploaded jar, or from its original location when the body is empty. */
    @POST
    @Path("{id}/update")
    @Consumes(MediaType.WILDCARD)
    @BodyLimit(MAX_JAR)
    public BundleView update(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id,
                             InputStream body) throws IOException {
        token.require(authorization);
        Bundle b = findChangeable(id);
        BufferedInputStream in = new BufferedInputStream(body);
        in.mark(1);
        boolean hasBody = in.read() >= 0;
        in.reset();
        try {
            if (hasBody) {
                in.mark((int) Math.min(MAX_JAR, Integer.MAX_VALUE));
                String symbolicName = symbolicName(in);
                in.reset();
                if (!symbolicName.equals(b.getSymbolicName())) {
                    throw ApiException.badRequest("wrong_bundle", "The jar is " + symbolicName + ", not "
                            + b.getSymbolicName() + ".");
                }
                b.update(in);
            } else {
                b.update();
            }
        } catch (BundleException e) {
            throw ApiException.conflict("bundle_update_failed", "The bundle was not updated: " + e.getMessage());
        }
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b));
        return BundleView.of(b);
    }

    @DELETE
    @Path("{id}")
    public Response uninstall(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        token.require(authorization);
        Bundle b = findChangeable(id);
        try {
            b.uninstall();
        } catch (BundleException e) {
            throw ApiException.conflict("bundle_uninstall_failed", "The bundle was not removed: " + e.getMessage());
        }
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b));
        return Response.noContent().build();
    }

    private Bundle find(String id) {
        long bundleId;
        try {
            bundleId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("No bundle has the id '" + id + "'.");
        }
        Bundle b = context.getBundle(bundleId);
        if (b == null) throw ApiException.notFound("No bundle has the id " + bundleId + ".");
        return b;
    }

    private Bundle findChangeable(String id) {
        Bundle b = find(id);
        if (b.getBundleId() == 0 || b.getBundleId() == context.getBundle().getBundleId()) {
            throw ApiException.forbidden("protected_bundle", "The framework and the admin bundle cannot be changed here.");
        }
        return b;
    }

    private static String symbolicName(InputStream in) throws IOException {
        Manifest manifest;
        try {
            JarInputStream jar = new JarInputStream(in);
            manifest = jar.getManifest();
        } catch (IOException | SecurityException e) {
            throw ApiException.badRequest("invalid_bundle", "The body is not a jar.");
        }
        String name = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-SymbolicName");
        if (name == null || name.isBlank()) {
            throw ApiException.badRequest("invalid_bundle", "The jar has no Bundle-SymbolicName; it is not an OSGi bundle.");
        }
        int semicolon = name.indexOf(';');
        return (semicolon >= 0 ? name.substring(0, semicolon) : name).trim();
    }

    private static void uninstallQuietly(Bundle b) {
        try {
            b.uninstall();
        } catch (BundleException e) {
            LOG.warn("Could not remove bundle {}", b.getSymbolicName(), e);
        }
    }
}
