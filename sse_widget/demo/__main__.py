"""``python -m sse_widget.demo``: serve the demo endpoint in the foreground."""

from __future__ import annotations

import argparse
import sys

from ..setup_errors import MissingExtraError


def main(argv: list[str] | None = None) -> None:
    """Serve the demo endpoint in the foreground until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m sse_widget.demo", description="Serve the sse-widget demo endpoint on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--tokens-per-second", type=float, default=40.0)
    parser.add_argument("--ttft", type=float, default=0.3, help="seconds before the first token")
    args = parser.parse_args(argv)
    try:
        from . import DemoServer
    except MissingExtraError as exc:
        sys.exit(str(exc))
    server = DemoServer(tokens_per_second=args.tokens_per_second, ttft=args.ttft, port=args.port)
    print(f"sse-widget demo endpoint on {server.url} (Ctrl+C to stop)")
    print(f"  OpenAI chat      POST {server.chat_url}")
    print(f"  OpenAI responses POST {server.url}/v1/responses")
    print(f"  Anthropic        POST {server.url}/v1/messages")
    print(f"  DashScope        POST {server.url}/api/v1/services/aigc/text-generation/generation")
    print(f"  Ollama           POST {server.url}/api/chat  |  /api/generate")
    print(f"  plain SSE text   GET  {server.url}/v1/text   |  raw text: GET {server.url}/v1/raw")
    server.serve_forever()


if __name__ == "__main__":
    main()
