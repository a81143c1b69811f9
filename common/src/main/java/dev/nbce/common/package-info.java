/** Wire protocol, request records, the NBCE combiner and samplers: pure functions, no Vert.x handlers, no DJL. */
package dev.nbce.common;
