package dev.nbce.common.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that forms a Hazelcast cluster (gateway and workers on loopback): seconds per class.
 * {@code bin/test --fast} leaves it out; {@code bin/test} and CI run it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(StartsCluster.TAG)
public @interface StartsCluster {
    String TAG = "cluster";
}
