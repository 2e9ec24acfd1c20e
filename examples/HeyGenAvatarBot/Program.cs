using System.CommandLine;
using HeyGenAvatarBot;
using Microsoft.Extensions.Logging;

var apiKey = new Option<string?>("--api-key")
{
    Description = "LiveAvatar API key (or, with --interactive, a HeyGen API key). Default: the LIVEAVATAR_API_KEY environment variable; with only HEYGEN_API_KEY set, the Interactive Avatar API with that key. Without a key the bot runs offline against the built-in HeyGen emulator.",
};
var liveAvatar = new Option<bool>("--live-avatar") { Description = "Use the LiveAvatar API (LITE mode), HeyGen's current product. The default." };
var interactive = new Option<bool>("--interactive") { Description = "Use the Interactive Avatar streaming API (HeyGen is replacing it with LiveAvatar)." };
var avatarId = new Option<string?>("--avatar-id") { Description = "Avatar to use (default: the provider's default; LiveAvatar: its sandbox avatar)." };
var output = new Option<string>("--output") { Description = "Directory for the video, audio and contact sheet.", DefaultValueFactory = _ => Path.Combine(Environment.CurrentDirectory, "avatar-output") };
var sentences = new Option<int>("--sentences") { Description = "How many of the recorded sentences to speak (1-3).", DefaultValueFactory = _ => 3 };
var size = new Option<string>("--size") { Description = "Emulated avatar video size, WIDTHxHEIGHT.", DefaultValueFactory = _ => "640x360" };
var fps = new Option<double>("--fps") { Description = "Emulated avatar frame rate.", DefaultValueFactory = _ => 25 };
var verbose = new Option<bool>("--verbose") { Description = "Log the pipeline at debug level (secrets are redacted)." };

var root = new RootCommand("A talking HeyGen avatar in a .NET voice-bot pipeline: recorded speech (standing in for TTS) → HeyGenVideoService → video and audio files.")
{
    apiKey, liveAvatar, interactive, avatarId, output, sentences, size, fps, verbose,
};

root.SetAction(async (parse, cancellationToken) =>
{
    string[] dims = parse.GetValue(size)!.Split('x', 'X');
    if (dims.Length != 2 || !int.TryParse(dims[0], out int width) || !int.TryParse(dims[1], out int height))
    {
        Console.Error.WriteLine("--size must look like 640x360.");
        return 2;
    }

    int count = parse.GetValue(sentences);
    if (count is < 1 or > 3)
    {
        Console.Error.WriteLine("--sentences must be 1 to 3.");
        return 2;
    }

    ProductChoice product;
    try
    {
        product = ProductChoice.Decide(parse.GetValue(apiKey), parse.GetValue(interactive), parse.GetValue(liveAvatar), Environment.GetEnvironmentVariable);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }

    var settings = new AvatarBotSettings
    {
        ApiKey = product.ApiKey,
        LiveAvatar = product.LiveAvatar,
        AvatarId = parse.GetValue(avatarId),
        OutputDirectory = parse.GetValue(output)!,
        Sentences = count,
        Width = width,
        Height = height,
        FrameRate = parse.GetValue(fps),
        LogLevel = parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning,
    };

    AvatarBotResult result = await AvatarBot.RunAsync(settings, Console.Out, cancellationToken);
    return result.Reason switch
    {
        Pipeline.Core.Pipelines.PipelineFinishReason.Ended when result.VideoFrames > 0 && result.SessionsStillOpen == 0 => 0,
        Pipeline.Core.Pipelines.PipelineFinishReason.Cancelled => 130,
        _ => 1,
    };
});

return await root.Parse(args).InvokeAsync();
