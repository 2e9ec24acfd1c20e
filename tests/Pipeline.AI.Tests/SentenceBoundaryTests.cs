using Pipeline.AI.Llm;
using Pipeline.Core.Frames;
using Pipeline.Testing;

namespace Pipeline.AI.Tests;

public sealed class SentenceBoundaryTests
{
    [Theory]
    [InlineData("Hello there. How are", "Hello there.")]
    [InlineData("Really?! Yes", "Really?!")]
    [InlineData("Wait... what", "Wait...")]
    [InlineData("He said \"stop.\" Then", "He said \"stop.\"")]
    [InlineData("Pi is 3.14 today. Yes", "Pi is 3.14 today.")]
    [InlineData("Version 2.0.1 is out. Get", "Version 2.0.1 is out.")]
    [InlineData("Dr. Smith is in. Ok", "Dr. Smith is in.")]
    [InlineData("Meet Mr. Jones at St. Louis. Ok", "Meet Mr. Jones at St. Louis.")]
    [InlineData("J. R. R. Tolkien wrote it. And", "J. R. R. Tolkien wrote it.")]
    [InlineData("Fruit, e.g. apples, is good. Ok", "Fruit, e.g. apples, is good.")]
    [InlineData("Bring pens, paper, etc. Then go", "Bring pens, paper, etc.")]
    [InlineData("你好。再见", "你好。")]
    public void The_first_sentence_ends_where_a_reader_would_pause(string text, string first) =>
        text[..SentenceBoundary.FindEnd(text)].Should().Be(first);

    [Theory]
    [InlineData("Hello there")]
    [InlineData("It costs 3.")]
    [InlineData("It costs 3.5")]
    [InlineData("Ask Dr. ")]
    [InlineData("See e.g. ")]
    [InlineData("")]
    public void No_sentence_is_complete_until_the_stream_shows_one(string text) =>
        SentenceBoundary.FindEnd(text).Should().Be(0);

    [Fact]
    public async Task The_aggregator_joins_tokens_into_sentences_and_flushes_the_rest_at_the_end_of_the_reply()
    {
        FrameProcessorTestResult result = await FrameProcessorTester.RunAsync(new SentenceAggregator(),
        [
            new LLMFullResponseStartFrame(),
            .. new[] { "It", " is", " 3", ".", "5", " degrees", ". Dr", ". Who", " says", " hi", "! And", " the", " rest" }
                .Select(t => new LLMTextFrame(t)),
            new LLMFullResponseEndFrame(),
        ]);

        result.Downstream.Select(f => f is TextFrame t ? $"{f.GetType().Name}:{t.Text}" : f.GetType().Name).Should().Equal(
            "LLMFullResponseStartFrame",
            "TextFrame:It is 3.5 degrees.",
            "TextFrame:Dr. Who says hi!",
            "TextFrame:And the rest",
            "LLMFullResponseEndFrame");
    }
}
