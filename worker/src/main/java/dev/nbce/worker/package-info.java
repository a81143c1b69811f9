/** Model loading, the decoder on DJL, per-row KV caches, the worker verticle. */
package dev.nbce.worker;
