/*
 * The wire protocol's numbers, shared by chat-server and chat-tui so the
 * two cannot drift apart.  chat-server(1) documents each of them.
 */
#ifndef PROTO_H
#define PROTO_H

#define PROTO_PORT_DEFAULT	"2000"
#define PROTO_LINE_MAX_BYTES	1024	/* longest client line, without \n */
#define PROTO_NICK_MAX_BYTES	16
#define PROTO_FLOOD_BURST_LINES	20	/* lines a client may send at once */
#define PROTO_FLOOD_RATE_LINES	5	/* lines per second after the burst */

#endif
