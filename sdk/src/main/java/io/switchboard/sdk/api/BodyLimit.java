package io.switchboard.sdk.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Raises the request body limit for one resource method or class (uploads). Without it a body is
 * limited to {@link Limits#MAX_JSON_BODY}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface BodyLimit {
    /** Largest accepted body in bytes. */
    long value();
}
