package dev.nbce.common.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that needs no cluster and no other process but runs for tens of seconds or more on a
 * CPU (an evaluation over a data set, long reference generations). {@code bin/test --fast} leaves it out;
 * {@code bin/test} and CI run it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(Slow.TAG)
public @interface Slow {
    String TAG = "slow";
}
