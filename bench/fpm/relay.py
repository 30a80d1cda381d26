"""A TCP relay on loopback that makes a link of a given round trip: each direction's bytes are
handed on `delay` ms after they arrive (in order, without holding up the bytes behind them), and
a new connection's first bytes from the client wait one round trip more, which the TCP handshake
costs on a real link (on loopback it costs nothing: the kernel answers the SYN at once).

    python3 relay.py LISTEN_PORT TARGET_HOST:TARGET_PORT ONE_WAY_DELAY_MS

Prints "listening on PORT" once ready (the port the kernel gave for LISTEN_PORT 0); stops on
SIGTERM or SIGINT. Used by bench/fpm/run.py: client -> relay (25 ms each way) -> nginx.
"""
import asyncio
import signal
import sys


async def carry(reader, writer, delay, first_extra):
    """Copies reader to writer, each chunk handed on `delay` seconds after it arrived (the first
    one `first_extra` more); EOF is handed on the same way."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def receive():
        extra = first_extra
        while True:
            try:
                data = await reader.read(1 << 16)
            except (ConnectionError, OSError):
                data = b""
            await queue.put((loop.time() + delay + extra, data))
            extra = 0.0
            if not data:
                return

    async def send():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()
            except (ConnectionError, OSError):
                return

    await asyncio.gather(receive(), send())


async def main(listen_port, target, delay_ms):
    host, port = target.rsplit(":", 1)
    delay = delay_ms / 1000.0

    async def accept(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        try:
            await asyncio.gather(carry(client_reader, server_writer, delay, 2 * delay),
                                 carry(server_reader, client_writer, delay, 0.0))
        except asyncio.CancelledError:
            pass   # stopping: connections still open end with the relay
        finally:
            for writer in (client_writer, server_writer):
                writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", listen_port, backlog=128)
    print("listening on %d" % server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], float(sys.argv[3])))
