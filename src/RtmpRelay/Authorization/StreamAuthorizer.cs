using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RtmpRelay.Authorization;

/// <summary>
/// Decides a publish or play: address ranges first, then a key (constant time), then the callback. A callback that
/// answers 2xx allows, and may rename the stream with {"name": "..."}; any other status, an error or its timeout denies.
/// </summary>
internal sealed class StreamAuthorizer(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "RtmpRelay.Authorization";

    /// <summary>Without a callback the answer is known at once, and the returned task has completed.</summary>
    public ValueTask<AccessDecision> AuthorizeAsync(AccessPolicy policy, AccessRequest request, CancellationToken cancellationToken)
    {
        if (!policy.AllowsAddress(request.ClientIp))
        {
            return ValueTask.FromResult(AccessDecision.Deny($"address {request.ClientIp} is not in {request.Action} AllowFrom"));
        }
        if (policy.Keys.IsEmpty && policy.Callback is null)
        {
            return ValueTask.FromResult(AccessDecision.Allow(policy.AllowFrom.IsEmpty ? "anyone" : "address"));
        }
        if (policy.MatchKey(request.Key) is { } label)
        {
            return ValueTask.FromResult(AccessDecision.Allow(label));
        }
        if (policy.Callback is null)
        {
            return ValueTask.FromResult(AccessDecision.Deny(request.Key is null ? "no key given" : "wrong key"));
        }
        return CallAsync(policy, request, cancellationToken);
    }

    private async ValueTask<AccessDecision> CallAsync(AccessPolicy policy, AccessRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(policy.CallbackTimeout);
        var body = new CallbackRequest(request.Action, request.App, request.Stream, request.Key, request.ClientIp?.ToString(), request.TcUrl, request.Transport);
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName)
                .PostAsJsonAsync(policy.Callback, body, CallbackJson.Default.CallbackRequest, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return AccessDecision.Deny($"the callback answered {(int)response.StatusCode}");
            }
            return AccessDecision.Allow("callback", await ReadRenameAsync(response, timeout.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AccessDecision.Deny($"the callback did not answer within {policy.CallbackTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            return AccessDecision.Deny($"the callback failed: {ex.HttpRequestError}");
        }
    }

    /// <summary>A 2xx body may be empty, or anything; only a JSON object with a string "name" renames.</summary>
    private static async Task<string?> ReadRenameAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is 0 or > 4096)
        {
            return null;
        }
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (text.Length is 0 or > 4096)
            {
                return null;
            }
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed record CallbackRequest(
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("app")] string App,
    [property: JsonPropertyName("stream")] string Stream,
    [property: JsonPropertyName("key")] string? Key,
    [property: JsonPropertyName("clientIp")] string? ClientIp,
    [property: JsonPropertyName("tcUrl")] string? TcUrl,
    [property: JsonPropertyName("transport")] string Transport)
{
    /// <summary>Without the key and the tcUrl: this goes to the callback only.</summary>
    public override string ToString() => $"{Action} {App}/{Stream}";
}

[JsonSerializable(typeof(CallbackRequest))]
internal sealed partial class CallbackJson : JsonSerializerContext;
