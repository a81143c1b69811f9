/** HTTP/WebSocket API and the client request model, tokenization and chat templates, windowing, placement, the step loop, the CLI. */
package dev.nbce.gateway;
