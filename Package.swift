// swift-tools-version:6.1
// Sift — a Swift-native toolkit to fine-tune, evaluate, compare and serve transformer text classifiers.
// Module dependency order (nothing reaches "up"), see ../shared/DESIGN.md:
//   SiftTensor ← SiftModels ← SiftTrain ← SiftServe, SiftStudies ← sift (CLI)
//   SiftTokenizers, SiftCheckpoints, SiftData sit beside SiftTensor, below SiftModels.
import PackageDescription
import Foundation

#if os(Linux)
// oneDNN (bf16 and f32 matmuls) is optional: without its headers SiftTensor builds on OpenBLAS alone.
let hasOneDNN = FileManager.default.fileExists(atPath: "/usr/include/oneapi/dnnl/dnnl.h")
let blasDependency: [Target.Dependency] = hasOneDNN ? ["CBLAS", "CDNNL"] : ["CBLAS"]
#else
let blasDependency: [Target.Dependency] = []
#endif

let package = Package(
    name: "Sift",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sift", targets: ["sift"]),
        .library(name: "SiftTensor", targets: ["SiftTensor"]),
        .library(name: "SiftTokenizers", targets: ["SiftTokenizers"]),
        .library(name: "SiftCheckpoints", targets: ["SiftCheckpoints"]),
        .library(name: "SiftData", targets: ["SiftData"]),
        .library(name: "SiftModels", targets: ["SiftModels"]),
        .library(name: "SiftTrain", targets: ["SiftTrain"]),
        .library(name: "SiftStudies", targets: ["SiftStudies"]),
        .library(name: "SiftServe", targets: ["SiftServe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Serving (SiftServe): HTTP server on SwiftNIO, latency histograms for the load generator.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.14.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // OpenBLAS on Linux (Debian: libopenblas-dev). On Apple platforms SiftTensor uses Accelerate instead.
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // oneDNN's C API (Debian: libdnnl-dev): bf16 × bf16 → f32 and f32 matmuls on AVX-512.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        // Decompressors for Parquet pages (SiftData): Zstandard, Snappy (its C API) and zlib (GZIP).
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]),
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", providers: [.apt(["libsnappy-dev"]), .brew(["snappy"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // The engine's element-wise kernels in C: an AVX-512 copy of each, chosen at run time.
        .target(name: "CSiftKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(
            name: "SiftTensor",
            dependencies: blasDependency + ["CSiftKernels"],
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]
        ),
        .target(name: "SiftTokenizers"),
        .target(name: "SiftCheckpoints", dependencies: ["SiftTensor"]),
        .target(name: "SiftData", dependencies: ["CZstd", "CSnappy", "CZlib"]),
        .target(name: "SiftModels", dependencies: ["SiftTensor", "SiftCheckpoints", "SiftTokenizers"]),
        .target(name: "SiftTrain", dependencies: ["SiftTensor", "SiftData", "SiftModels"]),
        // Whole studies: `sift compare`, difficulty mining, scale / think / distillation studies, reports.
        .target(name: "SiftStudies", dependencies: ["SiftTrain", "SiftData", "SiftModels", "SiftTokenizers", "SiftTensor"]),
        .target(
            name: "SiftServe",
            dependencies: [
                "SiftTensor", "SiftTokenizers", "SiftData", "SiftModels", "SiftTrain",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "sift",
            dependencies: [
                "SiftTensor", "SiftTokenizers", "SiftCheckpoints", "SiftData", "SiftModels", "SiftTrain", "SiftStudies", "SiftServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Paths to ../shared fixtures and get-models weights, shared by every test target.
        .target(name: "SiftTestSupport", dependencies: ["CZlib"], path: "Tests/SiftTestSupport"),
        .testTarget(name: "SiftTensorTests", dependencies: ["SiftTensor", "CSiftKernels", "SiftTestSupport"]),
        .testTarget(name: "SiftTokenizersTests", dependencies: ["SiftTokenizers", "SiftModels", "SiftTestSupport"]),
        .testTarget(
            name: "SiftCheckpointsTests", dependencies: ["SiftCheckpoints", "SiftTensor", "SiftTestSupport"],
            resources: [.copy("Resources")]
        ),
        .testTarget(
            name: "SiftDataTests",
            dependencies: ["SiftData", "SiftTestSupport"],
            resources: [.copy("Resources")]
        ),
        .testTarget(name: "SiftModelsTests", dependencies: ["SiftModels", "SiftTrain", "SiftCheckpoints", "SiftTensor", "SiftTokenizers", "SiftTestSupport"]),
        // The command line: every subcommand's help renders, no flag is declared twice, typical lines parse.
        .testTarget(name: "SiftCLITests", dependencies: ["sift", "SiftData", "SiftTrain"]),
        .testTarget(name: "SiftStudiesTests", dependencies: ["SiftStudies", "SiftTrain", "SiftData", "SiftModels", "SiftTestSupport"]),
        .testTarget(name: "SiftServeTests", dependencies: ["SiftServe", "SiftTrain", "SiftModels", "SiftTensor", "SiftTestSupport"]),
        .testTarget(name: "SiftTrainTests", dependencies: ["SiftTrain", "SiftData", "SiftTensor", "SiftModels", "SiftCheckpoints", "SiftTokenizers", "SiftTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
