namespace RtmpRelay.Tests.Functional;

/// <summary>Clients over one handler: a fake HTTP service for authorization callbacks.</summary>
internal sealed class TestHttpClientFactory(HttpMessageHandler handler) : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
}

/// <summary>A fake HTTP service: answers each request with what <paramref name="answer"/> returns, and records the requests' bodies.</summary>
internal sealed class CallbackHandler(Func<HttpRequestMessage, string, Task<HttpResponseMessage>> answer) : HttpMessageHandler
{
    public List<string> Bodies { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Bodies)
        {
            Bodies.Add(body);
        }
        return await answer(request, body).WaitAsync(cancellationToken);
    }
}
