using RtmpRelay.Authorization;

namespace RtmpRelay.Tests.Authorization;

public class StreamNameTests
{
    [Theory]
    [InlineData("show1", "show1", null)]
    [InlineData("show1?key=SECRET", "show1", "key=SECRET")]
    [InlineData("show1?a=1?b=2", "show1", "a=1?b=2")]
    [InlineData("?key=x", "", "key=x")]
    public void Split_NameAndQuery(string raw, string name, string? query) =>
        Assert.Equal((name, query), StreamName.Split(raw));

    [Theory]
    [InlineData("key=SECRET", "SECRET")]
    [InlineData("user=a&key=S%2BC", "S+C")]
    [InlineData("keys=x", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void KeyOf_Query(string? query, string? key) => Assert.Equal(key, StreamName.KeyOf(query));

    [Theory]
    [InlineData("show1", null)]
    [InlineData("", "empty")]
    [InlineData("a/b", "slash")]
    [InlineData("a\\b", "slash")]
    [InlineData("..", "'..'")]
    [InlineData("a\nb", "control")]
    public void Problem_Names(string name, string? problem)
    {
        var found = StreamName.Problem(name, 256);
        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Problem_TooLong_SaysTheLimit() => Assert.Contains("16", StreamName.Problem(new string('a', 17), 16), StringComparison.Ordinal);

    [Theory]
    [InlineData("rtmp://h/live?key=SECRET", "rtmp://h/live?****")]
    [InlineData("rtmp://h/live", "rtmp://h/live")]
    [InlineData(null, null)]
    public void Redact_HidesTheQuery(string? url, string? redacted) => Assert.Equal(redacted, StreamName.Redact(url));
}
