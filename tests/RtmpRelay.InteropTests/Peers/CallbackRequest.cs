using System.Text.Json;
using System.Text.Json.Nodes;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>One request the relay made to an <see cref="AuthCallbackSite"/>: method, path, the status it got, and the body it sent.</summary>
/// <param name="Method">The HTTP method, e.g. POST.</param>
/// <param name="Uri">The request URI as sent (path and query).</param>
/// <param name="Status">The status the site answered.</param>
/// <param name="Body">The request body as sent (nginx's $request_body).</param>
internal sealed record CallbackRequest(string Method, string Uri, int Status, string Body)
{
    /// <summary>The body parsed as a JSON object, or null when it is not one.</summary>
    public JsonObject? Json
    {
        get
        {
            try
            {
                return JsonNode.Parse(Body) as JsonObject;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>The string value of <paramref name="name"/> in the JSON body; null when absent, null or not a string.</summary>
    public string? Field(string name) =>
        Json?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public override string ToString() => $"{Method} {Uri} {Status} {Body}";
}
