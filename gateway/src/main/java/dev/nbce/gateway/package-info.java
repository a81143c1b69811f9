/** HTTP/WebSocket API, tokenization and chat templates, windowing, placement, the step loop, the CLI. */
package dev.nbce.gateway;
