package io.switchboard.webclient;

import io.switchboard.sdk.api.ApiException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/**
 * The web client at {@code /}: {@code GET /} is {@code index.html}, {@code GET /<path>} a file under
 * {@code web/} of this bundle. Every API resource has a longer literal {@code @Path}, so JAX-RS matching
 * prefers it; what reaches this class under {@code /api/} is an unknown endpoint and gets the JSON 404,
 * for every method, as before this bundle existed.
 */
@Component(service = WebClientResource.class)
@JakartarsResource
@Path("/")
public class WebClientResource {
    /** Only this origin's own files run; nothing is fetched from anywhere else. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' blob: data:; "
            + "connect-src 'self' ws: wss:; style-src 'self'; script-src 'self'; object-src 'none'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final StaticFiles files;

    @Activate
    public WebClientResource(BundleContext context) {
        this.files = new StaticFiles(context.getBundle()::getEntry);
    }

    @GET
    public Response index(@Context Request request) {
        return serve(StaticFiles.INDEX, request);
    }

    @GET
    @Path("{path: .+}")
    public Response file(@PathParam("path") String path, @Context Request request) {
        return serve(path, request);
    }

    @POST
    @Path("{path: .+}")
    public Response post(@PathParam("path") String path) {
        throw notFound(path);
    }

    @PUT
    @Path("{path: .+}")
    public Response put(@PathParam("path") String path) {
        throw notFound(path);
    }

    @PATCH
    @Path("{path: .+}")
    public Response patch(@PathParam("path") String path) {
        throw notFound(path);
    }

    @DELETE
    @Path("{path: .+}")
    public Response delete(@PathParam("path") String path) {
        throw notFound(path);
    }

    private Response serve(String path, Request request) {
        if (path.startsWith("api/")) throw notFound(path);
        StaticFiles.Asset asset = files.find(path).orElseThrow(() -> notFound(path));
        EntityTag tag = new EntityTag(asset.etag());
        Response.ResponseBuilder notModified = request.evaluatePreconditions(tag);
        Response.ResponseBuilder answer = notModified != null ? notModified
                : Response.ok(asset.bytes(), asset.contentType());
        return answer.tag(tag)
                .cacheControl(cacheControl())
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("Referrer-Policy", "no-referrer")
                .build();
    }

    /**
     * Every file is revalidated on each use (a 304 when its ETag still matches): the ES modules import
     * each other, and after a hot update of this bundle old and new modules must never mix.
     */
    private static CacheControl cacheControl() {
        CacheControl cc = new CacheControl();
        cc.setNoCache(true);
        cc.setNoTransform(false);
        return cc;
    }

    private static ApiException notFound(String path) {
        return path.startsWith("api/")
                ? ApiException.notFound("No endpoint at this path.")
                : ApiException.notFound("No file at this path.");
    }
}
