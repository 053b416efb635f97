"""A stream without authentication: identification already asked DESCRIBE of the root; when the root
has no stream (404), a short list of the paths cameras use is asked on one connection, stopping at
the first that answers 200 (open) or 401 (protected)."""

from iotbaseline.live.access.place import AccessPlace, result
from iotbaseline.live.model import ObservedService
from iotbaseline.live.protocols.http import parse_message, rtsp_request
from iotbaseline.live.trials import AccessResult


async def rtsp_describe(place: AccessPlace, service: ObservedService) -> AccessResult | None:
    if service.protocol != "rtsp":
        return None
    status = service.evidence.get("describe_status")
    root = f"rtsp://{place.target.address}:{service.port}/"
    if status == 200:
        return result(service, "rtsp-describe", True, f"DESCRIBE {root} answered 200 without credentials", path="/")
    if status in (401, 403):
        return result(service, "rtsp-describe", False, f"DESCRIBE {root} asks for credentials ({status})", path="/")
    return await _paths(place, service)


async def _paths(place: AccessPlace, service: ObservedService) -> AccessResult:
    asked: list[str] = []
    async with place.connect(service.port, service.tls, "rtsp") as connection:
        if connection is None:
            return result(service, "rtsp-describe", None, "no connection for the stream paths")
        for sequence, path in enumerate(place.settings.rtsp_paths, 1):
            request = rtsp_request("DESCRIBE", place.target.address, service.port, sequence)
            await connection.send(request.replace(b"/ RTSP/1.0", f"{path} RTSP/1.0".encode(), 1))
            answer = parse_message(await connection.read(place.wait, until=b"\r\n\r\n"))
            if answer is None:
                break
            asked.append(path)
            if answer.status == 200:
                summary = f"DESCRIBE of {path} answered 200 without credentials"
                return result(service, "rtsp-describe", True, summary, path=path, asked=asked)
            if answer.status in (401, 403):
                summary = f"DESCRIBE of {path} asks for credentials ({answer.status})"
                return result(service, "rtsp-describe", False, summary, path=path, asked=asked)
    return result(service, "rtsp-describe", None, f"no stream found at {len(asked)} common paths", asked=asked)
