function wrapAsyncCb(callee) {
    return async (callbackIndex, callbackData) => {
        let success;
        try {
            await callee();
            success = true;
        } catch (e) {
            console.error(e);
            success = false;
        } finally {
            const sharedImports = getSharedImports();
            sharedImports.__wasm_split.__indirect_function_table.get(callbackIndex)(callbackData, success);
        }
    }
}
// Resolves in a new task of the browser's event loop. (Pacesetter: each fetch a loader starts
// costs the page's main thread about a millisecond, four on a slow phone, and a route needs
// ten of them: started in one task, they made the longest task of the page's load.)
function nextTask() {
    return new Promise(resolve => setTimeout(resolve, 0));
}
function makeLoad(fetcher, deps) {
    const loader = async () => {
        // One fetch per task (Pacesetter: see `nextTask`), all still in flight together.
        const parallelStuff = [];
        for (const d of deps) {
            parallelStuff.push(d());
            await nextTask();
        }
        const instantiate = fetcher();
        await Promise.all(parallelStuff);
        const imports = getSharedImports();
        return instantiate(imports);
    };
    let loadingModule = undefined;
    return () => {
        if (loadingModule === undefined) {
            const thisLoad = loader();
            // Memoize successes only: a rejected load must not be cached for
            // the lifetime of the session, or one transient network failure
            // permanently breaks the module. Clearing on rejection lets the
            // next call (e.g. the Rust side re-invoking load after a failed
            // callback) start a fresh attempt.
            thisLoad.catch(() => {
                if (loadingModule === thisLoad) loadingModule = undefined;
            });
            loadingModule = thisLoad;
        }
        return loadingModule;
    }
}
