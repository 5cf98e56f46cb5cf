using System.Net;
using System.Text.Json;
using RtmpRelay.Authorization;
using RtmpRelay.Options;
using RtmpRelay.Tests.Functional;

namespace RtmpRelay.Tests.Authorization;

public class StreamAuthorizerTests
{
    private static readonly AccessRequest Request = new("publish", "live", "show1", "wrong", IPAddress.Loopback, "rtmp://relay/live?key=wrong", "rtmp");

    private static async Task<(AccessDecision Decision, CallbackHandler Service)> AuthorizeAsync(
        Func<HttpRequestMessage, string, Task<HttpResponseMessage>> answer, Action<AccessOptions>? configure = null)
    {
        var options = new AccessOptions { Callback = { Url = "http://127.0.0.1:9/on_publish", Timeout = TimeSpan.FromMilliseconds(300) } };
        configure?.Invoke(options);
        var service = new CallbackHandler(answer);
        var authorizer = new StreamAuthorizer(new TestHttpClientFactory(service));
        return (await authorizer.AuthorizeAsync(AccessPolicy.From(options), Request, CancellationToken.None), service);
    }

    private static Func<HttpRequestMessage, string, Task<HttpResponseMessage>> Answer(HttpStatusCode status, string? body = null) =>
        (_, _) => Task.FromResult(new HttpResponseMessage(status) { Content = body is null ? null : new StringContent(body) });

    [Fact]
    public async Task Callback_Answers200_AllowedAndTheRequestCarriesEveryField()
    {
        var (decision, service) = await AuthorizeAsync(Answer(HttpStatusCode.OK));

        Assert.True(decision.Allowed);
        Assert.Equal("callback", decision.Identity);
        Assert.Null(decision.Rename);
        using var json = JsonDocument.Parse(Assert.Single(service.Bodies));
        var root = json.RootElement;
        Assert.Equal("publish", root.GetProperty("action").GetString());
        Assert.Equal("live", root.GetProperty("app").GetString());
        Assert.Equal("show1", root.GetProperty("stream").GetString());
        Assert.Equal("wrong", root.GetProperty("key").GetString());
        Assert.Equal("127.0.0.1", root.GetProperty("clientIp").GetString());
        Assert.Equal("rtmp://relay/live?key=wrong", root.GetProperty("tcUrl").GetString());
        Assert.Equal("rtmp", root.GetProperty("transport").GetString());
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "403")]
    [InlineData(HttpStatusCode.InternalServerError, "500")]
    [InlineData(HttpStatusCode.Found, "302")]
    public async Task Callback_AnswersNon2xx_Denied(HttpStatusCode status, string said)
    {
        var (decision, _) = await AuthorizeAsync(Answer(status));

        Assert.False(decision.Allowed);
        Assert.Contains(said, decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callback_NoAnswerInTime_Denied()
    {
        var (decision, _) = await AuthorizeAsync(async (_, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            return new HttpResponseMessage(HttpStatusCode.OK);
        });

        Assert.False(decision.Allowed);
        Assert.Contains("did not answer within 0.3 s", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callback_Unreachable_DeniedWithoutTheUrl()
    {
        var (decision, _) = await AuthorizeAsync((_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused http://127.0.0.1:9/on_publish?token=t"));

        Assert.False(decision.Allowed);
        Assert.DoesNotContain("token", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\":\"renamed\"}", "renamed")]
    [InlineData("{\"name\":42}", null)]
    [InlineData("[\"renamed\"]", null)]
    [InlineData("not json at all", null)]
    [InlineData("", null)]
    public async Task Callback_2xxBody_RenamesOnlyWithAStringName(string body, string? rename)
    {
        var (decision, _) = await AuthorizeAsync(Answer(HttpStatusCode.OK, body));

        Assert.True(decision.Allowed);
        Assert.Equal(rename, decision.Rename);
    }

    [Fact]
    public async Task KeyAndCallback_KeyMatches_AllowedWithoutAskingTheCallback()
    {
        var (decision, service) = await AuthorizeAsync(Answer(HttpStatusCode.Forbidden), o => o.Keys["encoder"] = "wrong");

        Assert.True(decision.Allowed);
        Assert.Equal("encoder", decision.Identity);
        Assert.Empty(service.Bodies);
    }

    [Fact]
    public async Task AllowFrom_AddressOutside_DeniedBeforeKeyOrCallback()
    {
        var (decision, service) = await AuthorizeAsync(Answer(HttpStatusCode.OK), o =>
        {
            o.AllowFrom = ["10.0.0.0/8"];
            o.Keys["encoder"] = "wrong";
        });

        Assert.False(decision.Allowed);
        Assert.Contains("AllowFrom", decision.Reason, StringComparison.Ordinal);
        Assert.Empty(service.Bodies);
    }
}
