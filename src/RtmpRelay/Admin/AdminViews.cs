using System.Text.Json;
using System.Text.Json.Serialization;

namespace RtmpRelay.Admin;

/// <summary>GET /api/v1/streams.</summary>
internal sealed record StreamsView(IReadOnlyList<StreamView> Streams);

/// <summary>One live stream (also while it waits for its publisher to come back: then <see cref="Publisher"/> is null).</summary>
internal sealed record StreamView(string App, string Name, PublisherView? Publisher, int Players, IReadOnlyList<DestinationView> Destinations);

internal sealed record PublisherView(
    string? ClientIp, string Transport, string? Encoder, DateTimeOffset Since,
    string? VideoCodec, string? AudioCodec, int? Width, int? Height, double? Fps, double? BitrateKbps);

/// <summary>One destination: <see cref="Url"/> with its key hidden, <see cref="State"/> one of the lifecycle states.</summary>
internal sealed record DestinationView(
    string Name, string? Url, string State, string? LastError, long BytesSent, double? BitrateKbps, long LagMs,
    long DroppedFrames, int Reconnects, DateTimeOffset Since);

/// <summary>An error answer.</summary>
internal sealed record ProblemView(string Error);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StreamsView))]
[JsonSerializable(typeof(StreamView))]
[JsonSerializable(typeof(DestinationView))]
[JsonSerializable(typeof(ProblemView))]
internal sealed partial class AdminJson : JsonSerializerContext;
