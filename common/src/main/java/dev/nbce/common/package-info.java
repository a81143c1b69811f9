/** Wire protocol, step parameters, the NBCE combiner and samplers: pure functions, no Vert.x handlers, no DJL. */
package dev.nbce.common;
